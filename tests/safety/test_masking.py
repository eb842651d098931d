"""The output boundary's masker on its own: which forms of a secret it masks, and that what it leaves
is still a valid document."""

from __future__ import annotations

import html
import json
import random
import string

from nodeward.findings import CodeContext, Confidence, Finding, Location, ScanResult, SecretSpan, Severity
from nodeward.secrets.redact import MASK, SLICE, SecretMasker, worth_masking

KEY_LINES = ["Q" + "".join(random.Random(n).choices(string.ascii_letters + string.digits + "+/", k=63))
             for n in range(4)]


def slices(value: str) -> set[str]:
    return {value[i : i + SLICE] for i in range(len(value) - SLICE + 1)} or {value}


def shows(text: str, value: str) -> bool:
    return any(piece in text for piece in slices(value))


def test_a_secret_is_masked_as_written_escaped_and_in_pieces() -> None:
    written = "\\n".join(KEY_LINES)  # as a JavaScript string literal holds it: `\n` escapes
    masker = SecretMasker([SecretSpan("a.js", 1, 1, written)])
    decoded = "\n".join(KEY_LINES)
    for shown in (written, decoded, decoded.replace("\n", "\\r\\n"), "".join(KEY_LINES), json.dumps(decoded),
                  json.dumps(written), html.escape(decoded), KEY_LINES[2][5:30], "x" + KEY_LINES[1] + "y"):
        masked = masker.mask(f"const key = '{shown}';")
        assert not shows(masked, "".join(KEY_LINES)), masked
        assert masked.startswith("const key = '") and MASK in masked
    assert masker.mask(KEY_LINES[0][:SLICE - 1]) == KEY_LINES[0][:SLICE - 1]  # 11 characters tell nothing


def test_a_short_secret_is_masked_as_a_whole_word_only() -> None:
    masker = SecretMasker([SecretSpan("db.js", 3, 3, "h0rse-42")])
    assert masker.mask("postgres://app:h0rse-42@db/app") == f"postgres://app:{MASK}@db/app"
    assert masker.mask("xh0rse-42 h0rse-421") == "xh0rse-42 h0rse-421"


def test_the_written_report_stays_a_valid_document() -> None:
    """The last pass works on the written text: it stars letters and digits and leaves escape sequences whole."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "\"'\\<>&/\n\t é€"
    for _ in range(200):
        secret = "".join(rng.choices(alphabet, k=rng.randint(SLICE, 60)))
        masker = SecretMasker([SecretSpan("a", 1, 1, secret)])
        document = {"snippet": f"k = {secret!r};", "lines": [secret[:20], secret[5:]], "n": 12}
        for text in (json.dumps(document), json.dumps(document, ensure_ascii=False)):
            masked = json.loads(masker.mask_output(text))
            assert masked["n"] == 12
            decoded = json.dumps(masked, ensure_ascii=False)
            assert not any(piece in decoded or piece in str(masked) for piece in slices(secret)), (secret, masked)


def test_a_result_is_masked_everywhere_and_hands_on_no_secret() -> None:
    body = "\n".join(KEY_LINES)
    key = SecretSpan("keys.js", 2, 7, body)  # header on 2, four body lines, footer on 7
    finding = Finding(
        "NW101", "child-process-dynamic-command", "t", Severity.HIGH, Confidence.HIGH,
        f"command built from `{KEY_LINES[0]}`", Location("keys.js", 8, 1, 8, 5), "cp.exec(x);", (78,), "A03", "fix",
        context=CodeContext(4, (KEY_LINES[1], KEY_LINES[2][:8], KEY_LINES[3], "-----END-----", "cp.exec(x);")),
    )
    result = SecretMasker([key]).mask_result(ScanResult(findings=[finding], secrets=[key]))
    masked = result.findings[0]
    assert result.secrets == []
    assert MASK in masked.message and KEY_LINES[0] not in masked.message
    assert masked.context is not None
    assert masked.context.lines == (MASK, MASK, MASK, "-----END-----", "cp.exec(x);")  # short pieces too
    assert masked.snippet == "cp.exec(x);"


def test_a_secret_span_never_shows_its_value() -> None:
    span = SecretSpan("a.js", 1, 1, "sk_live_" + "x9" * 12)
    assert "x9x9" not in repr(span) and "x9x9" not in str(span)


def test_values_rules_see_are_masked_unless_masking_them_would_blank_ordinary_words() -> None:
    assert worth_masking("purple monkey dishwasher") and worth_masking("h0rse-42") and worth_masking("918273645510")
    assert not worth_masking("secret") and not worth_masking("postgres") and not worth_masking("3000")
