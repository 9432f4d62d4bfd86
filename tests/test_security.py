import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cooperation import models

from .factories import CountryFactory, EventFactory, SourceFactory

ROOT = settings.BASE_DIR

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p3Vx-9qL2mZt8RkWc7YsN4hJd6FgBa1Ue5Io0PlKjHnGbVfCxDzSaQwErTyUiOp",
    "DJANGO_ALLOWED_HOSTS": "testserver,catalogue.example.org",
}


def production(tmp_path, script):
    """Run Python in a fresh process under production settings, as a server would start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing(tmp_path):
    result = production(
        tmp_path,
        (
            "import django; django.setup()\n"
            "from django.core.management import call_command\n"
            "call_command('check', deploy=True, fail_level='WARNING')\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_production_gunicorn_configuration_loads_the_app_with_threaded_workers(tmp_path):
    """`gunicorn -c config/gunicorn.py` as README says: the app loads under production settings
    and long downloads run in threads, not in sync workers that the timeout would kill."""
    result = production(
        tmp_path,
        (
            "import sys\n"
            "from gunicorn.app.wsgiapp import run\n"
            "sys.argv = ['gunicorn', '--check-config', '--print-config',"
            " '-c', 'config/gunicorn.py', 'config.wsgi']\n"
            "run()\n"
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    settings_printed = dict(
        line.split("=", 1) for line in result.stdout.replace(" ", "").splitlines() if "=" in line
    )
    assert settings_printed["worker_class"] == "gthread"
    assert int(settings_printed["threads"]) > 1


@pytest.fixture(scope="module")
def production_headers(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = production(
        tmp_path,
        (
            "import json, django; django.setup()\n"
            "from django.core.management import call_command\n"
            "call_command('migrate', verbosity=0)\n"
            "call_command('collectstatic', verbosity=0, interactive=False)\n"
            "from django.test import Client\n"
            "client = Client(raise_request_exception=False)\n"
            "out = {}\n"
            "for url in ['/', '/events/', '/admin/login/']:\n"
            "    r = client.get(url, secure=True)\n"
            "    out[url] = dict(r.headers, status=r.status_code,\n"
            "                    body=r.content.decode()[:20000])\n"
            "r = client.get('/events/', secure=False)\n"
            "out['http'] = {'status': r.status_code, 'location': r.get('Location', '')}\n"
            "r = client.get('/events/', secure=True, headers={'host': 'evil.example'})\n"
            "out['bad-host'] = {'status': r.status_code}\n"
            "print(json.dumps(out))\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("url", ["/", "/events/", "/admin/login/"])
def test_production_responses_carry_security_headers(production_headers, url):
    headers = production_headers[url]
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_production_pages_have_no_inline_script_or_style(production_headers):
    for url in ["/", "/events/", "/admin/login/"]:
        body = production_headers[url]["body"]
        assert "<script>" not in body and " style=" not in body and "<style" not in body


def test_production_redirects_http_to_https_and_rejects_unknown_hosts(production_headers):
    assert production_headers["http"]["status"] == 301
    assert production_headers["http"]["location"].startswith("https://")
    assert production_headers["bad-host"]["status"] == 400


def test_cookies_are_secure_in_production(tmp_path):
    result = production(
        tmp_path,
        (
            "import django; django.setup()\n"
            "from django.conf import settings as s\n"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)\n"
        ),
    )
    assert result.stdout.split() == ["True", "True", "True"]


# ---- Login throttling ----------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client):
    User.objects.create_user("editor", password="the-right-password-1", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200  # the form again, with Django's error
    response = client.post(url, {"username": "editor", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # Locked even with the right password, for a while.
    response = client.post(url, {"username": "editor", "password": "the-right-password-1"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_successful_login_is_not_locked(client):
    User.objects.create_user("editor", password="the-right-password-1", is_staff=True)
    url = reverse("admin:login")
    client.post(url, {"username": "editor", "password": "wrong"})
    response = client.post(
        url, {"username": "editor", "password": "the-right-password-1", "next": "/admin/"}
    )
    assert response.status_code == 302


# ---- Rights --------------------------------------------------------------------------------


def admin_urls():
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    return urls


@pytest.mark.django_db
def test_anonymous_visitors_reach_no_admin_page(client):
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("ed", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["event", "organization", "person", "programme", "source"])
def test_editors_can_add_and_change_catalogue_records(editor, model):
    assert editor.get(reverse(f"admin:cooperation_{model}_add")).status_code == 200
    assert editor.get(reverse(f"admin:cooperation_{model}_changelist")).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "auth_user_changelist",
        "auth_user_add",
        "auth_group_changelist",
        "auth_group_add",
        "axes_accessattempt_changelist",
    ],
)
def test_editors_cannot_manage_users_groups_or_lockouts(editor, url_name):
    assert editor.get(reverse(f"admin:{url_name}")).status_code == 403


def test_editors_cannot_delete_sources_or_countries(editor):
    source, country = SourceFactory(), CountryFactory()
    for model, obj in [("source", source), ("country", country)]:
        url = reverse(f"admin:cooperation_{model}_delete", args=[obj.pk])
        assert editor.post(url, {"post": "yes"}).status_code == 403
    assert models.Source.objects.filter(pk=source.pk).exists()
    assert models.Country.objects.filter(pk=country.pk).exists()


# ---- Escaping ------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.django_db
def test_hostile_values_render_as_text_in_the_admin(admin_client):
    event = EventFactory(title=HOSTILE, description=HOSTILE, theme=HOSTILE)
    for url in [
        reverse("admin:cooperation_event_changelist"),
        reverse("admin:cooperation_event_change", args=[event.pk]),
        reverse("admin:cooperation_event_history", args=[event.pk]),
    ]:
        body = admin_client.get(url).content.decode()
        assert HOSTILE not in body, url
        assert "&lt;script&gt;" in body, url


@pytest.mark.django_db
def test_hostile_values_render_as_text_on_every_public_page(client):
    from .factories import (
        EventCitationFactory,
        EventCountryFactory,
        EventOrganizationFactory,
        EventPersonFactory,
        OrganizationFactory,
        PersonFactory,
        ProgrammeFactory,
    )

    country = CountryFactory(code="TZ", name="Tanzania", aliases=HOSTILE)
    organization = OrganizationFactory(
        slug="o", name=HOSTILE, acronym="<b>", aliases=HOSTILE, description=HOSTILE, country=country
    )
    person = PersonFactory(
        slug="p",
        name=HOSTILE,
        native_name=HOSTILE,
        aliases=HOSTILE,
        description=HOSTILE,
        country=country,
    )
    programme = ProgrammeFactory(slug="g", name=HOSTILE, description=HOSTILE, aliases=HOSTILE)
    source = SourceFactory(slug="s", title=HOSTILE, notes=HOSTILE, publisher=HOSTILE)
    event = EventFactory(
        slug="e",
        title=HOSTILE,
        description=HOSTILE,
        theme=HOSTILE,
        city=HOSTILE,
        venue=HOSTILE,
        editor_note=HOSTILE,
    )
    event.programmes.add(programme)
    EventCountryFactory(event=event, country=country, role="host", note=HOSTILE)
    EventOrganizationFactory(event=event, organization=organization, note=HOSTILE)
    EventPersonFactory(event=event, person=person, title=HOSTILE, organization=organization)
    EventCitationFactory(event=event, source=source, locator=HOSTILE, note=HOSTILE)
    pages = [
        "/",
        "/events/",
        "/events/e/",
        f"/events/?q={event.title[:5]}",
        "/countries/",
        "/countries/tz/",
        "/years/",
        "/years/2012/",
        "/programmes/",
        "/programmes/g/",
        "/organizations/",
        "/organizations/o/",
        "/people/",
        "/people/p/",
        "/sources/",
        "/sources/s/",
        "/events/?organization=o&person=p&programme=g",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
    exported = b"".join(client.get("/events/export.json").streaming_content).decode()
    assert '"title": "<script>alert(\\"x\\")</script>' in exported  # data, not markup
