"""The sandbox's first visit: the sign-in page names the demo account, the empty home page
offers sample followups; neither without the sandbox."""

import re

from sandbox.data import EXAMPLES
from tests.support.pages import page_get


def test_the_sign_in_page_names_the_demo_account(client, django_user_model):
    _, body = page_get(client, "/accounts/login/")
    assert "user name <code>demo</code> and password <code>demo-followups</code>" in body
    # The account it names is the one the command creates.
    import io

    from django.core.management import call_command

    call_command("sandbox_demo_account", stdout=io.StringIO())
    assert django_user_model.objects.get(username="demo").check_password("demo-followups")


def test_the_empty_home_page_offers_sample_followups(manager_client):
    _, body = page_get(manager_client, "/")
    samples = re.search(r'<div class="sandbox-samples">.*?</div>', body, re.S)
    assert samples is not None
    links = re.findall(r'<a href="([^"]+)">', samples.group(0))
    assert f"/followups/{EXAMPLES['call_deal_found']}/" in links
    assert f"/debts/{EXAMPLES['big_debt']}/followups/" in links
    assert len(links) == 6


def test_the_samples_go_once_something_was_viewed(sandbox, manager_client):
    manager_client.get(f"/followups/{EXAMPLES['call_deal_found']}/")
    _, body = page_get(manager_client, "/")
    assert "sandbox-samples" not in body


def test_without_the_sandbox_no_demo_account_or_samples(client, manager_client, settings):
    templates = settings.TEMPLATES
    processors = templates[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **templates[0],
            "OPTIONS": {
                **templates[0]["OPTIONS"],
                "context_processors": [p for p in processors if not p.startswith("sandbox.")],
            },
        }
    ]
    _, login = page_get(client, "/accounts/login/")
    _, home = page_get(manager_client, "/")
    assert "demo" not in login
    assert "sandbox-samples" not in home
