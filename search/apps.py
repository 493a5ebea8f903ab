from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search across calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A finished transcript's words are indexed by the job that made it; words typed in the
        # header's box (not an ID) open the search page.
        from followups import extensions
        from search import indexing, views
        from transcripts.signals import transcript_done

        transcript_done.connect(indexing.index_on_transcript_done, dispatch_uid="search.index")
        extensions.words_search_register(name="transcripts", search=views.words_search_url)
