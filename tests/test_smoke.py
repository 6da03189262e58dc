from retrust.core.models import JournalEntry


def test_partner_home_shows_their_case(client_for, case):
    response = client_for("partner_a").get("/home/")
    assert response.status_code == 200
    assert "Ari and Bo" in response.content.decode()


def test_clinician_sees_caseload(client_for, case):
    response = client_for("clinician").get("/caseload/")
    assert response.status_code == 200
    assert "Ari and Bo" in response.content.decode()


def test_private_entry_is_hidden_from_the_other_partner(client_for, case, partner_a, partner_b):
    entry = JournalEntry.objects.create(
        case=case, author=partner_a, body="mine", visibility="private"
    )
    assert client_for("partner_a").get(f"/journal/{entry.pk}/").status_code == 200
    assert client_for("partner_b").get(f"/journal/{entry.pk}/").status_code == 404
    assert client_for("clinician").get(f"/journal/{entry.pk}/").status_code == 404
