"""Field types whose value is text: plain text, inline Markdown, ids, sources,
URLs, Wikidata ids, entry and correction kinds, time zones and languages.

Each reads its node as text first (quoted where YAML would read something
else, no control characters), then checks what is particular to it; each
says what the handbook and the JSON Schemas say of it. field_types.py has the
other types and the instances schema.py uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import SplitResult, urlsplit

from builder.content.fields import Field, FieldType, JsonObject
from builder.content.model import CORRECTION_KINDS, ENTRY_KINDS
from builder.content.times import zone_names
from builder.content.validate import slugify
from builder.content.yamltree import YamlNode, YamlScalar, describe
from builder.core.diagnostics import Report, did_you_mean
from builder.core.patterns import (
    CONTROL,
    CONTROL_CHARACTERS,
    ID_PATTERN,
    INVISIBLE,
    INVISIBLE_CHARACTERS,
)
from builder.text.site_links import site_urls_in_inline
from builder.text.url_policy import SAFE_SCHEMES, SCHEME_NAME, unsafe_urls_in_inline


def string_schema(pattern: str | None = None, message: str | None = None) -> JsonObject:
    schema: JsonObject = {"type": "string"}
    if pattern is not None:
        schema["pattern"] = pattern
    if message is not None:
        # Shown by VS Code's YAML and JSON language servers instead of the bare regex.
        schema["patternErrorMessage"] = message
    return schema


def read_text(node: YamlNode, field: Field, report: Report) -> str | None:
    """The node's text, trimmed; what every type of text reads first."""
    if not isinstance(node, YamlScalar):
        report.error(node.position, f"'{field.name}' must be text, found {describe(node)}")
        return None
    if not node.quoted and node.tag != "str":
        report.error(
            node.position,
            f"'{field.name}' must be text, but YAML reads {node.value} as {describe(node)}; "
            f'put it in quotes: "{node.value}"',
        )
        return None
    text = node.value.strip()
    # Every character CONTROL finds is unprintable: most text needs no search.
    control = None if text.isprintable() else CONTROL.search(text)
    if control is not None:
        report.error(
            node.position,
            f"'{field.name}' contains the control character U+{ord(control.group()):04X}; "
            "remove it",
        )
        return None
    if not text and field.required:
        report.error(node.position, f"'{field.name}' is empty; give it a value")
        return None
    return text


@dataclass(frozen=True)
class TextType(FieldType[str]):
    label = "text"
    note = (
        "Text. Quote it when YAML would read it as something else: "
        '`"NO"`, `"on"`, `"1:30"`, `"017"`, `"2020"`. No invisible control characters.'
    )

    # Text matched in article bodies (names, aliases, ids) refuses invisible
    # characters: there one would make a name that looks right match nothing.
    # Elsewhere joiners are legitimate (Persian, emoji).
    matched_in_articles: bool = False

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = read_text(node, field, report)
        if text is None or not self.matched_in_articles or text.isascii():
            return text  # every character INVISIBLE finds is beyond ASCII
        invisible = INVISIBLE.search(text)
        if invisible is not None:
            report.error(
                node.position,
                f"'{field.name}' contains the invisible control character "
                f"U+{ord(invisible.group()):04X}; remove it",
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        if self.matched_in_articles:
            if field.required:
                return string_schema(
                    rf"^(?!\s*$)[^{INVISIBLE_CHARACTERS}{CONTROL_CHARACTERS}]*$",
                    "Give it a value, without invisible characters.",
                )
            return string_schema(
                f"^[^{INVISIBLE_CHARACTERS}{CONTROL_CHARACTERS}]*$",
                "Remove the invisible or control character.",
            )
        if field.required:
            return string_schema(
                rf"^(?!\s*$)[^{CONTROL_CHARACTERS}]*$",
                "Give it a value, without control characters.",
            )
        return string_schema(f"^[^{CONTROL_CHARACTERS}]*$", "Remove the control character.")


@dataclass(frozen=True)
class MarkdownType(TextType):
    label = "inline Markdown"
    note = (
        "Text that may use inline Markdown: `*italic*`, `**bold**`, "
        "`[links](https://example.org/)`. Quote it like text."
    )

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        for url in unsafe_urls_in_inline(text or ""):
            report.error(
                node.position,
                f"'{field.name}' links to '{url}', which is not allowed; "
                "use an http, https, mailto or relative URL",
            )
        for url in site_urls_in_inline(text or ""):
            report.link(node.position, url)  # checked once every page is known
        return text


@dataclass(frozen=True)
class IdType(TextType):
    label = "id"
    note = "Lower-case ASCII letters and digits joined by single hyphens: `kim-jong-un`."
    matched_in_articles: bool = True

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is None:
            return None
        if not ID_PATTERN.fullmatch(text):
            report.error(
                node.position,
                f"'{text}' is not a valid id: use lower-case ASCII letters and digits joined by "
                f"single hyphens, like '{slugify(text) or 'kim-jong-un'}'",
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return string_schema(
            f"^{ID_PATTERN.pattern}$",
            "Use lower-case ASCII letters and digits joined by single hyphens, like kim-jong-un.",
        )


# A scheme followed at once by more of the URL; "Reuters: report" is plain text.
_SCHEME = re.compile(rf"{SCHEME_NAME}:(?=\S)")


@dataclass(frozen=True)
class SourceType(TextType):
    label = "URL or text"
    note = (
        "A URL (http, https or mailto) or plain text such as "
        "`Kremlin statement, 14 September 2023`."
    )

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is not None and _SCHEME.match(text):
            scheme = text.split(":", 1)[0].lower()
            if scheme not in SAFE_SCHEMES:
                report.error(
                    node.position,
                    f"'{field.name}': the {scheme}: scheme is not allowed; "
                    "use an http, https or mailto URL, or plain text",
                )
                return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        # Plain text, or a URL whose scheme is http, https or mailto.
        schema = string_schema(
            rf"^(?!\s*{SCHEME_NAME}:\S)"
            r"|^\s*([Hh][Tt][Tt][Pp][Ss]?|[Mm][Aa][Ii][Ll][Tt][Oo]):",
            "Use an http, https or mailto URL, or plain text.",
        )
        if field.required:
            schema["allOf"] = [{"pattern": r"\S"}]
        return schema


# What RFC 3986 allows in a URL, percent-encoding included; the rest (spaces,
# quotes, angle brackets, non-ASCII letters) must be percent-encoded first.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]+|\[[0-9A-Fa-f:.]+\]"
)


def _url_problem(text: str, parts: SplitResult, site_root: bool) -> str | None:
    """What makes an absolute http(s) URL unusable in a feed or a canonical link."""
    bad = _URL_CHARACTERS.sub("", text)
    if bad:
        return (
            f"{describe_characters(bad)} cannot stand in a URL; percent-encode it "
            "(a space is %20) or remove it"
        )
    try:
        port = parts.port
    except ValueError:
        return "the port is not a number from 0 to 65535"
    host = parts.hostname or ""
    if parts.username is not None or not _HOST.fullmatch(host) or (port == 0):
        return f"'{parts.netloc}' is not a host name such as example.org"
    if site_root and (parts.query or parts.fragment or "?" in text or "#" in text):
        return "a site's URL has no ?query or #fragment"
    return None


def describe_characters(characters: str) -> str:
    shown = sorted(set(characters))
    names = ", ".join("a space" if c == " " else repr(c) for c in shown[:3])
    return names if len(shown) == 1 else f"these characters ({names})"


@dataclass(frozen=True)
class UrlType(TextType):
    label = "absolute URL"
    note = "An absolute http or https URL: `https://example.org/news/`."
    # The site's base_url is a folder that page paths are joined to: it gets
    # a closing slash. A link to someone's profile is kept as written.
    folder: bool = True

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is None:
            return None
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            report.error(
                node.position,
                f"'{field.name}' must be an absolute http or https URL, "
                "like https://example.org/news/",
            )
            return None
        problem = _url_problem(text, parts, self.folder)
        if problem:
            report.error(node.position, f"'{field.name}': {problem}")
            return None
        return text if text.endswith("/") or not self.folder else text + "/"

    def json_schema(self, field: Field) -> JsonObject:
        return string_schema(
            r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?"
            r"(/[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*)?\s*$",
            "Use an absolute http or https URL, like https://example.org/news/.",
        )


# RFC 5646's language tag, without the grandfathered irregular tags: language
# (with up to three extended subtags), script, region, variants, extensions
# and a private-use part. The value reaches <html lang>, feeds and the search
# indexer's command line, so nothing else may pass.
LANGUAGE_TAG = (
    r"[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?"
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*"
    r"(-[Xx](-[A-Za-z0-9]{1,8})+)?"
)


# Something, an @, and a domain with a dot: enough to catch a name, a URL or
# "mailto:" written where the bare address should be; the mail server is the
# final judge.
EMAIL_ADDRESS = r"(?![Mm][Aa][Ii][Ll][Tt][Oo]:)[^@\s<>:]+@[^@\s<>]+\.[^@\s<>.]+"


@dataclass(frozen=True)
class EmailType(TextType):
    label = "email address"
    note = "An email address: `newsdesk@example.org`."
    shape: ClassVar[re.Pattern[str]] = re.compile(EMAIL_ADDRESS)

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is not None and not self.shape.fullmatch(text):
            report.error(
                node.position,
                f"'{field.name}' must be an email address, like newsdesk@example.org; "
                f"found '{text}'",
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return string_schema(
            f"^{EMAIL_ADDRESS}$", "Use an email address, like newsdesk@example.org."
        ) | {"format": "email"}


WIKIDATA_ID = "Q[1-9][0-9]*"


@dataclass(frozen=True)
class WikidataType(TextType):
    label = "Wikidata id"
    note = "`Q` followed by digits: `Q7747`."
    shape: ClassVar[re.Pattern[str]] = re.compile(WIKIDATA_ID)

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        if isinstance(node, YamlScalar) and not node.quoted and node.value.isdigit():
            # Not "quote it": "22686" would be refused next. The Q is what is missing.
            report.error(
                node.position,
                f"'{field.name}' must be Q followed by digits: write Q{node.value.lstrip('0')}",
            )
            return None
        text = super().read(node, field, report)
        if text is not None and not self.shape.fullmatch(text):
            report.error(
                node.position,
                f"'{field.name}' must be Q followed by digits, like Q7747; found '{text}'",
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return string_schema(f"^{WIKIDATA_ID}$", "Q followed by digits, like Q7747.")


@dataclass(frozen=True)
class EntryKindType(TextType):
    label = "kind"
    note = "One of " + ", ".join(f"`{kind}`" for kind in ENTRY_KINDS) + "."

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is not None and text not in ENTRY_KINDS:
            report.error(
                node.position,
                f"'{text}' is not a kind; use one of "
                + ", ".join(ENTRY_KINDS)
                + did_you_mean(text, ENTRY_KINDS),
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "string", "enum": list(ENTRY_KINDS)}


@dataclass(frozen=True)
class CorrectionKindType(TextType):
    label = "kind of correction"
    note = "One of " + ", ".join(f"`{kind}`" for kind in CORRECTION_KINDS) + "."

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is not None and text not in CORRECTION_KINDS:
            report.error(
                node.position,
                f"'{text}' is not a kind of correction; use one of "
                + ", ".join(CORRECTION_KINDS)
                + did_you_mean(text, CORRECTION_KINDS),
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "string", "enum": list(CORRECTION_KINDS)}


@dataclass(frozen=True)
class TimeZoneType(TextType):
    label = "time zone"
    note = "A name from the IANA time zone database: `Asia/Seoul`, `Europe/London`, `UTC`."

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is None or text in zone_names():
            return text
        # did_you_mean is case-sensitive: a name mistyped only in case is found here.
        same = [name for name in zone_names() if name.casefold() == text.casefold()]
        suggestion = f"; did you mean '{same[0]}'?" if same else did_you_mean(text, zone_names())
        report.error(
            node.position,
            f"'{text}' is not a time zone; use an IANA name such as Asia/Seoul or UTC" + suggestion,
        )
        return None

    def json_schema(self, field: Field) -> JsonObject:
        # Not an enum: the list of zones depends on the machine's time zone database.
        return string_schema(
            "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
            "Use an IANA time zone name, like Asia/Seoul or UTC.",
        )


@dataclass(frozen=True)
class LanguageType(TextType):
    label = "language tag"
    note = "A BCP 47 language tag that dates can be written in: `en`, `en-GB`, `ko`, `pt-BR`."
    shape: ClassVar[re.Pattern[str]] = re.compile(LANGUAGE_TAG)

    def read(self, node: YamlNode, field: Field, report: Report) -> str | None:
        text = super().read(node, field, report)
        if text is None:
            return None
        if not self.shape.fullmatch(text):
            report.error(
                node.position,
                f"'{field.name}' must be a language tag such as en, en-GB or pt-BR (BCP 47); "
                f"'{text}' is not one",
            )
            return None
        if not locale_known(text):
            report.error(
                node.position,
                f"'{text}' is not a language the builder can write dates in; "
                "use a language tag such as en, en-GB, ko or de",
            )
            return None
        return text

    def json_schema(self, field: Field) -> JsonObject:
        return string_schema(f"^{LANGUAGE_TAG}$", "Use a language tag such as en, en-GB or ko.")


def locale_known(tag: str) -> bool:
    """True when Babel (CLDR) has the language's names of months and its date formats."""
    from babel import Locale, UnknownLocaleError  # only site.yaml needs it here

    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True
