from hypothesis import given
from hypothesis import strategies as st

from retorno.registry.names import name_keys, normalise, skeleton


def test_transliteration_variants_share_a_key() -> None:
    for group in (
        ["Mohamed", "Muhammad", "Mouhamed", "Mohammed", "Mohamad"],
        ["Youssef", "Yusuf", "Jussuf"],
        ["Nguyễn", "Nguyen"],
        ["Valentina", "Balentina"],
    ):
        keys = {frozenset(name_keys(name)) for name in group}
        assert len(keys) == 1, group


def test_accents_and_case_do_not_matter() -> None:
    assert normalise("JOSÉ  García-Pérez") == "jose garcia perez"
    assert name_keys("José García") == name_keys("jose garcia")


def test_particles_are_ignored_but_not_whole_names() -> None:
    assert name_keys("Fatima El Amrani") == name_keys("Fatima Amrani")
    assert name_keys("Le") == {skeleton("le")}


def test_original_script_names_get_keys() -> None:
    assert name_keys("محمد") == name_keys("Muhammad")


@given(st.text(max_size=40))
def test_any_text_gives_short_ascii_keys(text: str) -> None:
    for key in name_keys(text):
        assert key.isascii() and 0 < len(key) <= 40
