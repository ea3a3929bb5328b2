"""Remembering: what this build made that the next one can start from, written
into the store only once the output is in place."""

from __future__ import annotations

from builder.build.articles import ArticleResult
from builder.build.state import Loaded, Run
from builder.incremental.plan import Previous, output_columns
from builder.incremental.records import OutputRecord, digest
from builder.incremental.spill import TABLES as SPILLED
from builder.incremental.store import Store
from builder.site.views import dates_of


def remembered(
    run: Run, loaded: Loaded, results: dict[str, ArticleResult], outputs: dict[str, OutputRecord]
) -> Previous:
    """What the store holds once this build is written into it, as the next build
    would load it."""
    return Previous(
        glossary=loaded.glossary,
        bundles=loaded.bundles,
        articles={path: result.record for path, result in results.items()},
        outputs=outputs,
        entries=loaded.keys.entries,
        authors=loaded.keys.authors,
        related=loaded.related,
        common=(loaded.keys.common, loaded.keys.claims),
        config=digest(run.config),
        scheduled=frozenset(loaded.held_back),
        media=loaded.media,
    )


def write_store(
    store: Store,
    run: Run,
    loaded: Loaded,
    results: dict[str, ArticleResult],
    outputs: dict[str, OutputRecord],
) -> None:
    """Write what changed since the last build into the store, in one transaction:
    the rows this build made, from the spill, and what is gone. With no spill
    (no key to sign rows with) the store keeps nothing."""
    spill, previous = run.spill, run.previous
    if spill is None:
        return
    try:
        gone = previous.bundles.keys() - loaded.bundles.keys()
        store.write("bundle", removed=gone)
        unusable = {path for path, (item, _) in loaded.parsed.items() if not item.has_details}
        store.write("details", removed=gone | unusable)
        rendered = {path: result for path, result in results.items() if result.rendered}
        unpublished = previous.articles.keys() - results.keys()
        store.write("article", {p: r.record for p, r in rendered.items()}, removed=unpublished)
        store.write("mentions", removed=unpublished)
        gone_entries = (previous.entries or {}).keys() - loaded.keys.entries.keys()
        store.write("usage", removed=gone_entries)
        for table in SPILLED:  # bundles, timelines, first mentions, what entry pages showed
            store.write_signed(table, spill.rows(table))
    finally:
        spill.discard()
    # Every record of both tables is here, as the rows now hold it (as `remembered`);
    # the articles' are gathered only for a snapshot taken anew, not on every build.
    if store.snapshot_wanted("bundle", len(loaded.bundles)):
        store.snapshot("bundle", loaded.bundles)
    if store.snapshot_wanted("article", len(results)):
        store.snapshot("article", {path: result.record for path, result in results.items()})
    dropped = previous.glossary.keys() - loaded.glossary.keys()
    # A glossary file read again is a new object; the others are the last build's
    # rows, in the store already (8 ms of pickling, on every build, at 1,000 entries).
    read = {
        path: found
        for path, found in loaded.glossary.items()
        if previous.glossary.get(path) is not found
    }
    store.write("glossary", read, removed=dropped)
    state: dict[str, object] = {
        "entries": loaded.keys.entries,
        "authors": loaded.keys.authors,
        "tags": loaded.keys.tags,
        "common": (loaded.keys.common, loaded.keys.claims),
        "config": digest(run.config),
        "related": loaded.related,
        "outputs": output_columns(outputs),
        "scheduled": sorted(loaded.held_back),
        "media": loaded.media,
    }
    if loaded.related is previous.related:
        # As the store holds it already: the last build's very object, unless
        # something that relates stories changed (2 MB pickled at 50,000 stories).
        del state["related"]
    dates = dates_of(run.config)
    spelt = dates.spelt()
    if spelt is not None:  # spellings not stored yet
        state["dates"] = (run.config.language, run.config.timezone, spelt)
        dates.learn(spelt)
    if _pages_out_of_date(run):  # what a build in another process starts from
        made = {output: made for output, made in run.site_keys.made.items() if output in outputs}
        state["pages"] = (run.listings.stored(), made)
        run.listings.remade = False
        run.site_keys.remade.clear()
    store.write("state", state)
    store.commit()


# The share of the site-wide pages' keys made anew since the store's copy, past
# which it is written again.
STALE_KEYS = 0.125


def _pages_out_of_date(run: Run) -> bool:
    """Whether the store's groupings and site-wide pages' keys are worth writing again:
    the groupings were made anew, or an eighth of the keys. A key out of date in
    the store only costs a build in another process that page's key, made again:
    one is used only while the page still has that very key. An edit changes the
    keys of a few pages, and the store is spared all of them each time (at 50,000
    stories, several megabytes)."""
    remade = run.site_keys.remade
    return run.listings.remade or len(remade) > STALE_KEYS * max(1, len(run.site_keys.made))
