from loaders.gazetteer import Gazetteer, GazetteerEntry, load_gazetteer, normalise, signature


def small_gazetteer() -> Gazetteer:
    return Gazetteer(
        [
            GazetteerEntry(
                "unsc",
                "United Nations Security Council",
                "Forum",
                aliases=("UN Security Council", "Security Council"),
                acronyms=("UNSC",),
            ),
            GazetteerEntry("un", "United Nations", "Forum", acronyms=("UN",)),
            GazetteerEntry("cd", "Conference on Disarmament", "Forum", ambiguous_acronyms=("CD",)),
            GazetteerEntry("canada", "Canada", "State", demonyms=("Canadian",), iso3="CAN"),
        ]
    )


def test_normalise_drops_articles_possessives_and_punctuation():
    assert normalise("The People’s Republic of China") == "people republic of china"
    assert normalise("U.N. Security-Council") == "u n security council"


def test_signature_ignores_word_order_and_expands_abbreviations():
    assert signature("Global Data Security Initiative") == signature("Global Initiative on Data Security")
    assert signature("position paper on military applications of AI") == signature(
        "Position Paper on Military Application of Artificial Intelligence"
    )
    assert signature("Global Data Security Initiative") != signature("Global Security Initiative")


def test_lookup_by_name_alias_acronym_and_signature():
    gaz = small_gazetteer()
    assert gaz.lookup("the UN Security Council").key == "unsc"
    assert gaz.lookup("UNSC").key == "unsc"
    assert gaz.lookup("Council Security Nations United").key == "unsc"
    assert gaz.lookup("Human Rights Council") is None
    assert gaz.by_iso3("can").label == "Canada"


def test_find_names_prefers_the_longest_name_and_respects_case():
    gaz = small_gazetteer()
    text = (
        "The UN Security Council met; the security council in lower case is not trusted; UN staff; Canadian."
    )
    found = [(text[m.start : m.end], sorted(m.keys), m.kind) for m in gaz.find_names(text)]
    assert found == [
        ("UN Security Council", ["unsc"], "name"),
        ("UN", ["un"], "acronym"),
        ("Canadian", ["canada"], "demonym"),
    ]


def test_ambiguous_acronyms_are_reported_as_such():
    gaz = small_gazetteer()
    (match,) = gaz.find_names("the CD should act")
    assert match.kind == "ambiguous_acronym" and match.keys == frozenset({"cd"})


def test_real_gazetteer_knows_the_security_council_and_states():
    gaz = load_gazetteer()
    assert gaz.lookup("UNSC").wikidata == "Q37470"
    assert gaz.by_iso3("CHN").label == "China"
    assert gaz.lookup("Global Data Security Initiative").label == "Global Initiative on Data Security"
    assert len(gaz) > 700
