"""Accounts: password hashing (argon2), signed bearer tokens, departments and role grants."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.domain.access import Principal
from engine.errors import AuthenticationFailed, NotFound, OnestopError
from engine.services.context import ServiceContext


class AccountService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        if ctx.settings.password_hashing == "fast":  # noqa: S105 - tests only: argon2 at its cheapest
            self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            self._hasher = PasswordHasher()
        self._dummy: str | None = None
        secret = ctx.settings.secret_key
        self._tokens = URLSafeTimedSerializer(secret, salt="onestop-api-token") if secret else None

    def _dummy_hash(self) -> str:
        """A throwaway hash to verify unknown users against, so both answers take the same time."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("onestop-timing-equaliser")
        return self._dummy

    def add_department(self, code: str, name: str) -> bool:
        with self._ctx.uow(write=True) as uow:
            created = uow.accounts.add_department(code, name)
            uow.commit()
        return bool(created)

    def departments(self) -> list[tuple[str, str]]:
        with self._ctx.uow() as uow:
            return list(uow.accounts.departments())

    def add_user(
        self,
        username: str,
        password: str,
        roles: list[str],
        department: str | None = None,
        window: str | None = None,
        display_name: str | None = None,
    ) -> None:
        if not username or not password:
            raise OnestopError("username and password are required")
        with self._ctx.uow(write=True) as uow:
            if department and not uow.accounts.department_exists(department):
                raise NotFound(f"department {department!r} does not exist; add it first")
            user_id = uow.accounts.upsert_user(
                username, display_name or username, self._hasher.hash(password), self._ctx.now()
            )
            for role in roles:
                uow.accounts.grant(user_id, role, department, window)
            uow.commit()

    def authenticate(self, username: str, password: str) -> Principal:
        with self._ctx.uow() as uow:
            stored = uow.accounts.password_hash(username)
            try:
                self._hasher.verify(stored or self._dummy_hash(), password)
            except (VerificationError, InvalidHashError) as exc:
                raise AuthenticationFailed("wrong username or password") from exc
            if stored is None:
                raise AuthenticationFailed("wrong username or password")
            if self._hasher.check_needs_rehash(stored):
                uow.accounts.set_password_hash(username, self._hasher.hash(password))
                uow.commit()
            principal = uow.accounts.principal(username)
        if principal is None:
            raise AuthenticationFailed("wrong username or password")
        return principal

    def issue_token(self, principal: Principal) -> str:
        if self._tokens is None:
            raise OnestopError("ONESTOP_SECRET_KEY is not set; tokens cannot be issued")
        return str(self._tokens.dumps({"u": principal.username}))

    def principal_for_token(self, token: str) -> Principal:
        if self._tokens is None:
            raise AuthenticationFailed("tokens are disabled: no secret key")
        try:
            payload = self._tokens.loads(token, max_age=self._ctx.settings.token_max_age)
        except BadSignature as exc:
            raise AuthenticationFailed("invalid or expired token") from exc
        return self.principal(str(payload["u"]))

    def principal(self, username: str) -> Principal:
        with self._ctx.uow() as uow:
            principal = uow.accounts.principal(username)
        if principal is None:
            raise AuthenticationFailed("unknown or disabled user")
        return principal
