"""Payment references: readable, unguessable, and a typo is caught."""

import re

from payments.references import ALPHABET, check_char, reference_new, reference_normalize


def test_a_new_reference_reads_cipx_then_eight_characters_of_the_unambiguous_alphabet():
    references = {reference_new() for _ in range(200)}

    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(r"CIPX-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)
        assert reference_normalize(reference) == reference


def test_every_single_mistyped_character_is_caught():
    reference = reference_new()
    code = reference.replace("CIPX-", "").replace("-", "")

    for position in range(len(code)):
        for char in ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1:]
            assert reference_normalize("CIPX" + typo) is None, typo


def test_what_a_bank_statement_shows_is_read_back_to_the_printed_reference():
    # M is the check character of the body 7K2MQ9X.
    printed = "CIPX-7K2M-Q9XM"

    assert reference_normalize(printed) == printed
    assert reference_normalize("cipx 7k2m q9xm") == printed
    assert reference_normalize("CIPX7K2MQ9XM") == printed


def test_look_alike_letters_are_read_as_the_digits_they_resemble():
    body = "0110ABC"
    printed = f"CIPX-{body[:4]}-{body[4:]}{check_char(body)}"

    assert reference_normalize(printed.replace("0", "O").replace("1", "l")) == printed


def test_anything_else_is_not_a_reference():
    not_references = ["", "CIPX", "CIPX-1234-567", "ABCD-7K2M-Q9XM", "CIPX-7K2M-Q9XM-1",
                      "CIPX-7K2M-Q9XD", "CIPX-UUUU-UUUU"]
    for text in not_references:
        assert reference_normalize(text) is None
