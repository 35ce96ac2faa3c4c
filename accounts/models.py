from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

REFERRAL_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes
AUTO_SIGN_IN_LIFETIME = timedelta(minutes=5)
BOOKMARKLET_TOKEN_PREFIX = "fmcv_"


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_CODE_ALPHABET) for _ in range(8))


def default_onboarding_state() -> dict[str, Any]:
    return {
        "current_step": 0,
        "completed_steps": [],
        "has_completed": False,
        "is_skipped": False,
        "timestamps": {},
    }


class Role(models.TextChoices):
    USER = "USER", "User"
    ADMIN = "ADMIN", "Admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A job seeker or a staff member; the e-mail address is the identifier.

    E-mail verification, OAuth accounts and password-reset tokens live in allauth's tables
    (see docs/schema.md); ADMIN role means staff access to the admin and dashboards.
    """

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    image = models.URLField(max_length=500, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField(default=True)
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    referral_code = models.CharField(max_length=16, unique=True, default=new_referral_code)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    onboarding_state = models.JSONField(default=default_onboarding_state, blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Sign-ups per day and the customers' counts read from the index alone.
            models.Index(
                fields=["created_at"],
                include=["role", "is_superuser", "is_active"],
                name="user_created_at_idx",
            ),
            # Staff accounts are few: the dashboards leave their rows out through this index
            # instead of reading every user (staff.dashboards.rollups).
            models.Index(
                fields=["id"],
                condition=~Q(role=Role.USER, is_superuser=False),
                name="user_staff_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # The ADMIN role is the product's staff role: it can do everything in the admin.
        return (self.is_active and self.role == Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_module_perms(app_label)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class AutoSignInToken(models.Model):
    """One-use token that signs a user in right after they verify their e-mail address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Sign-in token for {self.user_id}"


class ConsentAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    REVOKED = "revoked", "Revoked"


class ConsentLog(models.Model):
    """Every change of a user's cookie consent, kept as evidence (GDPR art. 7)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_logs"
    )
    action = models.CharField(max_length=10, choices=ConsentAction.choices)
    preferences = models.JSONField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id}"


def hash_bookmarklet_token(raw: str) -> str:
    """The stored form of a bookmarklet token: an HMAC keyed with SECRET_KEY, so the table alone
    (a leaked backup) neither gives the tokens nor lets anyone check a guess against it."""
    return salted_hmac("accounts.BookmarkletToken", raw, algorithm="sha256").hexdigest()


class BookmarkletTokenQuerySet(models.QuerySet["BookmarkletToken"]):
    def owned_by(self, user: User) -> BookmarkletTokenQuerySet:
        return self.filter(user=user)

    def active(self) -> BookmarkletTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class BookmarkletToken(models.Model):
    """What a "Send to FitMyCV" bookmarklet carries: it lets a job page's text be added as an
    offer of its user, and nothing else. Only a keyed hash and the first characters are kept;
    the token is shown once, inside the bookmarklet. Revoked rows stay, so a revoked
    bookmarklet is told so rather than "unknown"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarklet_tokens"
    )
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = BookmarkletTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
