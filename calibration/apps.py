from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = "Calibration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Calibration builds on followups and reviews: its form joins a followup's page for the
        # session's reviewers, its pending sessions are listed above the review queue, and the
        # insights' per-reviewer table gets each reviewer's distance from the references.
        from calibration import panels
        from followups import extensions
        from insights import extensions as insights_extensions

        extensions.detail_panel_register(
            panel=extensions.DetailPanel(
                name="calibration", render=panels.detail_panel_html, order=15
            )
        )
        extensions.queue_region_register(name="calibration", render=panels.queue_region_html)
        insights_extensions.reviewer_column_register(
            column=insights_extensions.ReviewerColumn(
                name="calibration_distance",
                label="Distance from calibration references",
                values=panels.reference_distance_cells,
                csv_name="calibration_answers_differing_percent",
                csv_values=panels.reference_distance_figures,
            )
        )
