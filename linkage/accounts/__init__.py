"""People and their offices: accounts, roles, scopes and sign-in (`users`), sign-ins kept across
reloads (`sessions`), identities of the office's OpenID Connect provider (`identity`), the office
behind an account in today's words (`offices`) and the demonstration accounts (`demo_accounts`)."""
