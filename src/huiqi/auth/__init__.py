"""Accounts, roles, passwords and login sessions (账号与权限).

Five roles (角色): an enterprise user (企业用户) sees and edits only its own enterprise; an
official (部门经办人) works on the policies of their department; finance (财政) approves payments; an
auditor (审计) reads everything and changes nothing; an admin (管理员) manages accounts. ``roles`` says who
may do what, ``accounts`` keeps the accounts and their login sessions, ``passwords`` hashes with argon2.
"""
