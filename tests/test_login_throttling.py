"""Admin login throttling behind reverse proxies (cooperation/logins.py, settings AXES_*)."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from cooperation.logins import client_address

from .test_security import production

PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the app from it
EDITOR, ATTACKER = "198.51.100.7", "203.0.113.66"
PASSWORD = "the-right-password-1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def login(client, username, password, client_ip, forged=None):
    """A login through the proxy, which appends the address it was connected from to
    X-Forwarded-For; `forged` is what the client itself put there."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


# ---- The client's address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "192.0.2.1"),
        (0, "203.0.113.66", "192.0.2.1"),  # no proxy trusted: the header is the client's
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "1.2.3.4, 203.0.113.66", "203.0.113.66"),  # the leftmost is forged
        (1, "1.2.3.4,203.0.113.66", "203.0.113.66"),
        (2, "1.2.3.4, 203.0.113.66, 10.0.0.9", "203.0.113.66"),
        (1, "2001:DB8::0:1", "2001:db8::1"),
        (1, "", "192.0.2.1"),  # not through the proxy: only REMOTE_ADDR is sure
        (2, "203.0.113.66", "192.0.2.1"),
        (1, "1.2.3.4, not-an-address", "192.0.2.1"),
        (1, "1.2.3.4, ", "192.0.2.1"),
    ],
)
def test_the_client_address_is_counted_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# ---- Lockouts -------------------------------------------------------------------------------


def test_guessing_an_editors_password_locks_out_the_guesser_not_the_editor(
    client, settings, behind_one_proxy, editor
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "editor", "wrong", ATTACKER).status_code == 200
    assert login(client, "editor", "wrong", ATTACKER).status_code == 429
    assert login(client, "editor", PASSWORD, ATTACKER).status_code == 429
    # The editor, from their own address behind the same proxy, logs in.
    response = login(client, "editor", PASSWORD, EDITOR)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_one_address_trying_many_accounts_is_locked_out_of_all(
    client, settings, behind_one_proxy, editor
):
    # Fewer failures per account than the account limit, but many accounts.
    sprayed = [f"user{n}" for n in range(settings.CATALOGUE_ADDRESS_FAILURE_LIMIT - 1)]
    assert settings.AXES_FAILURE_LIMIT > 1
    for username in sprayed:
        assert login(client, username, "Summer2024!", ATTACKER).status_code == 200
    assert login(client, "editor", "Summer2024!", ATTACKER).status_code == 429
    assert login(client, "someone-else", "Winter2024!", ATTACKER).status_code == 429
    # Even the right password, from that address, for now.
    assert login(client, "editor", PASSWORD, ATTACKER).status_code == 429
    # Other addresses are not affected.
    assert login(client, "editor", PASSWORD, EDITOR).status_code == 302


def test_a_successful_login_does_not_clear_the_failures_for_other_accounts(
    client, settings, behind_one_proxy, editor
):
    for n in range(settings.CATALOGUE_ADDRESS_FAILURE_LIMIT - 1):
        login(client, f"user{n}", "wrong", ATTACKER)
    assert login(client, "editor", PASSWORD, ATTACKER).status_code == 302
    client.logout()
    assert login(client, "another", "wrong", ATTACKER).status_code == 429


def test_a_successful_login_clears_its_own_accounts_failures(
    client, settings, behind_one_proxy, editor
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "editor", "wrong", EDITOR)
    assert login(client, "editor", PASSWORD, EDITOR).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "editor", "wrong", EDITOR).status_code == 200


def test_a_forged_leftmost_address_does_not_change_whom_failures_count_against(
    client, settings, behind_one_proxy, editor
):
    # Each guess claims a new address, the last one the editor's: all count against the
    # address the proxy saw.
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "editor", "wrong", ATTACKER, forged=f"192.0.2.{n}").status_code == 200
    assert login(client, "editor", "wrong", ATTACKER, forged=EDITOR).status_code == 429
    assert login(client, "editor", PASSWORD, ATTACKER, forged="192.0.2.200").status_code == 429
    assert login(client, "editor", PASSWORD, EDITOR).status_code == 302


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(client, settings, editor):
    settings.TRUSTED_PROXIES = 0
    # Clients connect directly: a client writing a new X-Forwarded-For each time is still one
    # address, and cannot pass for the editor's.
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        assert response.status_code == 200
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "wrong"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR=EDITOR,
    )
    assert response.status_code == 429
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=EDITOR,
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert response.status_code == 302


# ---- Configuration --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "one", "1.5", "²"])
def test_start_up_fails_on_a_bad_number_of_trusted_proxies(tmp_path, value):
    result = production(
        tmp_path,
        f"import os; os.environ['DJANGO_TRUSTED_PROXIES'] = {value!r}\n"
        "import django; django.setup()",
    )
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES must be the number of reverse proxies" in result.stderr


def test_check_deploy_is_clean_behind_a_proxy(tmp_path):
    result = production(
        tmp_path,
        (
            "import os; os.environ['DJANGO_TRUSTED_PROXIES'] = '1'\n"
            "import django; django.setup()\n"
            "from django.conf import settings\n"
            "assert settings.TRUSTED_PROXIES == 1\n"
            "from django.core.management import call_command\n"
            "call_command('check', deploy=True, fail_level='WARNING')\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr
