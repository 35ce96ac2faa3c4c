from __future__ import annotations

from django.urls import path

from cvs import views

app_name = "cvs"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("import/json-resume/", views.import_json, name="import_json"),
    path("import/pdf/", views.import_pdf, name="import_pdf"),
    path("from-job-title/", views.from_job_title, name="from_job_title"),
    path("rank/", views.rank_start, name="rank_start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rank/", views.rank, name="rank"),
    path("<int:pk>/rank/choose/", views.rank_choose, name="rank_choose"),
    path("<int:pk>/rank/rerank/", views.rerank, name="rerank"),
    path("<int:pk>/tailor/", views.tailor, name="tailor"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/improve/", views.improve, name="improve"),
    path("<int:pk>/translate/", views.translate, name="translate"),
    path("<int:pk>/translate/plan/", views.translate_plan, name="translate_plan"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/edit/<str:section>/", views.edit_section, name="edit_section"),
    path("<int:pk>/edit/<str:section>/<int:index>/", views.edit_section, name="edit_item"),
    path("<int:pk>/remove/<str:section>/<int:index>/", views.remove_item, name="remove_item"),
    path("<int:pk>/move/<str:section>/<int:index>/", views.move_item, name="move_item"),
    path("<int:pk>/move-section/<str:section>/", views.move_section, name="move_section"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/export/preview/", views.export_preview, name="export_preview"),
    path("<int:pk>/export/fit/", views.export_fit, name="export_fit"),
    path("<int:pk>/export/presets/", views.save_preset, name="save_preset"),
    path(
        "<int:pk>/export/presets/<int:preset_id>/delete/",
        views.delete_preset,
        name="delete_preset",
    ),
    path("<int:pk>/letters/", views.letters, name="letters"),
    path("<int:pk>/letters/<int:letter_id>/", views.letter, name="letter"),
    path(
        "<int:pk>/letters/<int:letter_id>/versions/",
        views.letter_versions,
        name="letter_versions",
    ),
    path(
        "<int:pk>/letters/<int:letter_id>/versions/<int:number>/restore/",
        views.restore_letter,
        name="restore_letter",
    ),
    path("<int:pk>/letters/<int:letter_id>/delete/", views.delete_letter, name="delete_letter"),
    path("<int:pk>/letters/<int:letter_id>/export/", views.letter_export, name="letter_export"),
    path("<int:pk>/letters/<int:letter_id>/preview/", views.letter_preview, name="letter_preview"),
    path("<int:pk>/resume.json", views.export_json_resume, name="export_json_resume"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/panel/", views.task_panel, name="task_panel"),
    path("tasks/<uuid:task_id>/", views.task, name="task"),
    path("tasks/<uuid:task_id>/cancel/", views.cancel_task, name="cancel_task"),
]
