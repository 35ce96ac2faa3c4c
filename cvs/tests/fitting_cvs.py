"""CVs of a known length for the fit-to-pages tests and bench: a backend engineer whose
bullets speak more or less to a Python backend offer."""

from __future__ import annotations

import copy
from typing import Any

BACKEND_BULLETS = [
    "Built REST APIs in Python and Django serving 40 million requests a day",
    "Moved the payment service from a monolith to PostgreSQL-backed microservices",
    "Cut the p95 latency of the search API from 800 ms to 120 ms with Redis caching",
    "Wrote the Celery task pipeline that reconciles 2 million invoices every night",
    "Introduced Docker and Kubernetes deployments with zero-downtime migrations",
    "Mentored four developers through code reviews and pair programming on Django",
]
OTHER_BULLETS = [
    "Organised the yearly summer party and the office plant rota for the whole floor",
    "Answered customer phone calls about delivery dates during the holiday season",
    "Designed printed flyers for the neighbourhood bakery's weekend opening hours",
    "Kept the meeting room calendar and ordered stationery for the team each month",
]
OFFER_TEXT = """Senior Python Backend Developer

We are hiring a backend developer to build our REST APIs.

Requirements:
- 5 years of experience with Python and Django
- PostgreSQL, Redis and Celery
- Docker and Kubernetes
- Experience with microservices and APIs

Responsibilities:
- Build and maintain REST APIs in Python
- Improve the latency of our services
"""


def job(n: int, *, relevant: bool, bullets: int, start: int) -> dict[str, Any]:
    lines = BACKEND_BULLETS if relevant else OTHER_BULLETS
    return {
        "title": "Backend developer" if relevant else "Office assistant",
        "company": f"Company {n}",
        "department_or_client": "",
        "start_date": f"{start}-01",
        "end_date": f"{start + 2}-12",
        "location": {"city": "Lyon", "region": "", "country_code": "FR"},
        "description": "",
        "responsibilities": [f"{lines[i % len(lines)]} ({n}.{i})" for i in range(bullets)],
        "deliverables": [],
        "skills_used": ["Python", "Django"] if relevant else [],
    }


def long_cv(*, jobs: int, bullets: int) -> dict[str, Any]:
    """`jobs` jobs of `bullets` bullets, newest first; every third job is off-topic."""
    experience = [
        job(n, relevant=n % 3 != 2, bullets=bullets, start=2022 - 3 * n) for n in range(jobs)
    ]
    return copy.deepcopy(
        {
            "language": "en",
            "header": {
                "full_name": "Sam Rivera",
                "current_title": "Backend engineer",
                "contact": {
                    "email": "sam@example.com",
                    "phone": "+33 6 12 34 56 78",
                    "location": {"city": "Lyon", "region": "", "country_code": "FR"},
                    "links": [],
                },
            },
            "summary": {
                "description": "Backend engineer with ten years of Python, Django and "
                "PostgreSQL, from payment platforms to search."
            },
            "skills": {
                "hard_skills": ["Python", "Django", "PostgreSQL", "Redis"],
                "tools": ["Docker", "Kubernetes", "Celery"],
                "soft_skills": ["Mentoring"],
                "methodologies": ["Scrum"],
            },
            "experience": experience,
            "education": [
                {
                    "degree": "MSc",
                    "field_of_study": "Computer Science",
                    "institution": "INSA Lyon",
                    "start_date": "2008",
                    "end_date": "2010",
                    "location": {"city": "Lyon", "region": "", "country_code": "FR"},
                }
            ],
            "languages": [],
            "extras": [],
            "projects": [],
        }
    )
