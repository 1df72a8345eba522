"""The registry (登记册): entities, their yearly facts and dated events, imported with validation."""
