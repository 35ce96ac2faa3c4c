"""Words the offline engine shows to people, in the four CV languages (en, fr, de, es).

Kept apart from the logic so wording can be reviewed and translated in one place.
"""

from __future__ import annotations

# Language names inside a sentence of another language; English names are used as they are.
LANGUAGE_DISPLAY = {
    "fr": {"English": "anglais", "French": "français", "German": "allemand",
           "Spanish": "espagnol", "Italian": "italien", "Portuguese": "portugais"},
    "de": {"English": "Englisch", "French": "Französisch", "German": "Deutsch",
           "Spanish": "Spanisch", "Italian": "Italienisch", "Portuguese": "Portugiesisch"},
    "es": {"English": "inglés", "French": "francés", "German": "alemán", "Spanish": "español",
           "Italian": "italiano", "Portuguese": "portugués"},
}  # fmt: skip

# Score suggestions: (title of 3-8 words, text). They never claim the person has a skill.
SUGGESTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "required_skills": (
            "Show the required skills you have used",
            "The offer asks for {skills}. For each one you have really used, name it in the job "
            "or project where you used it, with a concrete example; leave out the others.",
        ),
        "nice_skills": (
            "Mention nice-to-have skills you master",
            "The offer would also welcome {skills}. If you have real experience with any of "
            "them, add it to your skills or to the experience concerned.",
        ),
        "soft_skills": (
            "Illustrate the soft skills asked for",
            "The offer looks for: {skills}. Where this describes you, show it through a "
            "concrete situation in one of your experiences.",
        ),
        "language": (
            "State your {language} level precisely",
            "The offer asks for {language}{level}. {state} If you use it at work or hold a "
            "certificate, say so precisely.",
        ),
        "experience": (
            "Make your related experience visible",
            "The offer asks for {target} years of experience; your CV shows {years} years in "
            "closely related roles. If earlier jobs or projects involved similar work, describe "
            "it in their responsibilities.",
        ),
        "education": (
            "Show the degree the offer asks for",
            "The offer asks for {education}. If you hold this degree or an equivalent, give its "
            "exact name and field in Education.",
        ),
    },
    "fr": {
        "required_skills": (
            "Montrez les compétences requises que vous maîtrisez",
            "L'offre demande {skills}. Pour chacune que vous avez réellement utilisée, citez-la "
            "dans l'expérience ou le projet concerné, avec un exemple concret ; n'ajoutez pas "
            "les autres.",
        ),
        "nice_skills": (
            "Mentionnez les atouts que vous maîtrisez",
            "L'offre apprécierait aussi {skills}. Si vous en avez une expérience réelle, "
            "ajoutez-la à vos compétences ou à l'expérience concernée.",
        ),
        "soft_skills": (
            "Illustrez les qualités recherchées",
            "L'offre recherche : {skills}. Si elles vous correspondent, montrez-les par une "
            "situation concrète dans l'une de vos expériences.",
        ),
        "language": (
            "Précisez votre niveau en {language}",
            "L'offre demande : {language}{level}. {state} Si vous le pratiquez au travail ou "
            "avez une certification, indiquez-le précisément.",
        ),
        "experience": (
            "Rendez visible votre expérience proche",
            "L'offre demande {target} ans d'expérience ; votre CV en montre {years} dans des "
            "postes proches. Si d'autres expériences ou projets comportaient un travail "
            "similaire, décrivez-le dans leurs missions.",
        ),
        "education": (
            "Mettez en avant le diplôme demandé",
            "L'offre demande : {education}. Si vous avez ce diplôme ou un équivalent, indiquez "
            "son intitulé exact et sa spécialité dans la formation.",
        ),
    },
    "de": {
        "required_skills": (
            "Geforderte Kenntnisse sichtbar machen",
            "Die Stelle verlangt {skills}. Nennen Sie jede davon, die Sie wirklich eingesetzt "
            "haben, bei der passenden Station mit einem konkreten Beispiel; lassen Sie die "
            "anderen weg.",
        ),
        "nice_skills": (
            "Passende Zusatzkenntnisse nennen",
            "Die Stelle schätzt außerdem {skills}. Wenn Sie damit echte Erfahrung haben, "
            "ergänzen Sie sie bei Ihren Kenntnissen oder der passenden Station.",
        ),
        "soft_skills": (
            "Gesuchte Soft Skills belegen",
            "Die Stelle sucht {skills}. Wenn das auf Sie zutrifft, zeigen Sie es an einer "
            "konkreten Situation aus Ihrer Erfahrung.",
        ),
        "language": (
            "{language}kenntnisse genau angeben",
            "Die Stelle verlangt {language}{level}. {state} Wenn Sie die Sprache beruflich "
            "nutzen oder ein Zertifikat haben, geben Sie das genau an.",
        ),
        "experience": (
            "Passende Erfahrung sichtbar machen",
            "Die Stelle verlangt {target} Jahre Erfahrung; Ihr Lebenslauf zeigt {years} Jahre "
            "in verwandten Positionen. Wenn frühere Stationen oder Projekte ähnliche Arbeit "
            "umfassten, beschreiben Sie diese dort.",
        ),
        "education": (
            "Geforderten Abschluss sichtbar machen",
            "Die Stelle verlangt {education}. Wenn Sie diesen oder einen gleichwertigen "
            "Abschluss haben, nennen Sie ihn mit genauer Bezeichnung und Fachrichtung.",
        ),
    },
    "es": {
        "required_skills": (
            "Muestra las competencias requeridas que dominas",
            "La oferta pide {skills}. Menciona cada una que hayas usado de verdad en la "
            "experiencia o el proyecto donde la usaste, con un ejemplo concreto; no añadas las "
            "demás.",
        ),
        "nice_skills": (
            "Menciona los puntos valorables que dominas",
            "La oferta también valora {skills}. Si tienes experiencia real con alguno, añádelo "
            "a tus competencias o a la experiencia correspondiente.",
        ),
        "soft_skills": (
            "Demuestra las competencias personales buscadas",
            "La oferta busca {skills}. Si te describen, muéstralas con una situación concreta "
            "en una de tus experiencias.",
        ),
        "language": (
            "Precisa tu nivel de {language}",
            "La oferta pide {language}{level}. {state} Si lo usas en el trabajo o tienes un "
            "certificado, indícalo con precisión.",
        ),
        "experience": (
            "Haz visible tu experiencia afín",
            "La oferta pide {target} años de experiencia; tu CV muestra {years} en puestos "
            "afines. Si otros empleos o proyectos incluían un trabajo similar, descríbelo en "
            "sus funciones.",
        ),
        "education": (
            "Destaca la titulación requerida",
            "La oferta pide {education}. Si tienes esta titulación o una equivalente, indica su "
            "nombre exacto y especialidad en Formación.",
        ),
    },
}

# What the CV says of a language the offer asks for, inside the language suggestion.
LANGUAGE_STATES: dict[str, dict[str, str]] = {
    "en": {"missing": "Your CV does not mention it.", "lower": "Your CV states {cv_level}."},
    "fr": {"missing": "Votre CV ne le mentionne pas.", "lower": "Votre CV indique {cv_level}."},
    "de": {
        "missing": "Ihr Lebenslauf nennt sie nicht.",
        "lower": "Ihr Lebenslauf gibt {cv_level} an.",
    },
    "es": {"missing": "Tu CV no lo menciona.", "lower": "Tu CV indica {cv_level}."},
}

# The experience requirement as listed in the score's evidence.
EXPERIENCE_LABELS: dict[str, str] = {
    "en": "{n}+ years of experience",
    "fr": "{n} ans d'expérience minimum",
    "de": "mindestens {n} Jahre Erfahrung",
    "es": "{n}+ años de experiencia",
}

# Why each tailoring change was made, shown beside the change for review.
REASONS: dict[str, dict[str, str]] = {
    "en": {
        "skills_reordered": "Skills the offer asks for come first.",
        "skill_removed": "Not related to this offer, and the list is long.",
        "experience_reordered": "Most recent experience first.",
        "experience_removed": "Ended more than {years} years ago and unrelated to this offer.",
        "items_reordered": "Points closest to the offer come first.",
        "title": "Your own job title closest to the offer.",
        "summary_reordered": "Sentences closest to the offer come first.",
        "summary_selected": "Kept the sentences closest to the offer.",
        "summary_added": "Built only from your title, your experience dates and your skills "
        "that match the offer.",
        "title_offer": "Your experience as {role} matches the offer's title.",
        "title_offer_terms": "Your experience as {role} matches the offer's title: “{evidence}”",
        "title_offer_current": "Your current title {title} matches the offer's title.",
        "summary_rewritten": "Rewritten from your own titles, dates and skills, leading with what "
        "the offer asks for.",
        "experience_relevant_first": "Experience related to the offer first, most recent first.",
        "projects_reordered": "Projects closest to the offer come first.",
        "skill_from_experience": "The offer asks for it. From your experience as {where}: “{text}”",
        "skill_from_project": "The offer asks for it. From your project {where}: “{text}”",
        "skill_from_extra": "The offer asks for it. From your additional information ({where}): "
        "“{text}”",
        "skill_from_summary": "The offer asks for it. From your summary: “{text}”",
    },
    "fr": {
        "skills_reordered": "Les compétences demandées par l'offre passent en premier.",
        "skill_removed": "Sans lien avec cette offre, et la liste est longue.",
        "experience_reordered": "Expérience la plus récente en premier.",
        "experience_removed": "Terminée il y a plus de {years} ans et sans lien avec cette offre.",
        "items_reordered": "Les points les plus proches de l'offre passent en premier.",
        "title": "Votre propre intitulé de poste le plus proche de l'offre.",
        "summary_reordered": "Les phrases les plus proches de l'offre passent en premier.",
        "summary_selected": "Seules les phrases les plus proches de l'offre sont gardées.",
        "summary_added": "Construit uniquement à partir de votre titre, des dates de vos "
        "expériences et de vos compétences en lien avec l'offre.",
        "title_offer": "Votre expérience de {role} correspond à l'intitulé de l'offre.",
        "title_offer_terms": "Votre expérience de {role} correspond à l'intitulé de l'offre : "
        "« {evidence} »",
        "title_offer_current": "Votre titre actuel {title} correspond à l'intitulé de l'offre.",
        "summary_rewritten": "Réécrit à partir de vos propres intitulés, dates et compétences, en "
        "commençant par ce que demande l'offre.",
        "experience_relevant_first": "Les expériences en lien avec l'offre d'abord, les plus "
        "récentes en premier.",
        "projects_reordered": "Les projets les plus proches de l'offre passent en premier.",
        "skill_from_experience": "Demandée par l'offre. Tirée de votre expérience de {where} : "
        "« {text} »",
        "skill_from_project": "Demandée par l'offre. Tirée de votre projet {where} : « {text} »",
        "skill_from_extra": "Demandée par l'offre. Tirée de vos informations complémentaires "
        "({where}) : « {text} »",
        "skill_from_summary": "Demandée par l'offre. Tirée de votre résumé : « {text} »",
    },
    "de": {
        "skills_reordered": "Von der Stelle verlangte Kenntnisse zuerst.",
        "skill_removed": "Ohne Bezug zu dieser Stelle, und die Liste ist lang.",
        "experience_reordered": "Neueste Erfahrung zuerst.",
        "experience_removed": "Vor mehr als {years} Jahren beendet und ohne Bezug zu dieser "
        "Stelle.",
        "items_reordered": "Die zur Stelle passendsten Punkte zuerst.",
        "title": "Ihre eigene Berufsbezeichnung, die der Stelle am nächsten kommt.",
        "summary_reordered": "Die zur Stelle passendsten Sätze zuerst.",
        "summary_selected": "Nur die zur Stelle passendsten Sätze behalten.",
        "summary_added": "Nur aus Ihrem Titel, den Daten Ihrer Erfahrung und Ihren zur Stelle "
        "passenden Kenntnissen gebildet.",
        "title_offer": "Ihre Erfahrung als {role} passt zur Stellenbezeichnung.",
        "title_offer_terms": "Ihre Erfahrung als {role} passt zur Stellenbezeichnung: „{evidence}“",
        "title_offer_current": "Ihr aktueller Titel {title} passt zur Stellenbezeichnung.",
        "summary_rewritten": "Neu gefasst aus Ihren eigenen Titeln, Daten und Kenntnissen, "
        "beginnend mit dem, was die Stelle verlangt.",
        "experience_relevant_first": "Zur Stelle passende Erfahrung zuerst, die neueste zuerst.",
        "projects_reordered": "Die zur Stelle passendsten Projekte zuerst.",
        "skill_from_experience": "Von der Stelle verlangt. Aus Ihrer Erfahrung als {where}: "
        "„{text}“",
        "skill_from_project": "Von der Stelle verlangt. Aus Ihrem Projekt {where}: „{text}“",
        "skill_from_extra": "Von der Stelle verlangt. Aus Ihren weiteren Angaben ({where}): "
        "„{text}“",
        "skill_from_summary": "Von der Stelle verlangt. Aus Ihrem Profil: „{text}“",
    },
    "es": {
        "skills_reordered": "Las competencias que pide la oferta van primero.",
        "skill_removed": "Sin relación con esta oferta, y la lista es larga.",
        "experience_reordered": "La experiencia más reciente primero.",
        "experience_removed": "Terminó hace más de {years} años y no guarda relación con esta "
        "oferta.",
        "items_reordered": "Los puntos más cercanos a la oferta van primero.",
        "title": "Tu propio título de puesto más cercano a la oferta.",
        "summary_reordered": "Las frases más cercanas a la oferta van primero.",
        "summary_selected": "Solo se conservan las frases más cercanas a la oferta.",
        "summary_added": "Creado solo a partir de tu título, las fechas de tu experiencia y tus "
        "competencias relacionadas con la oferta.",
        "title_offer": "Tu experiencia como {role} corresponde al título de la oferta.",
        "title_offer_terms": "Tu experiencia como {role} corresponde al título de la oferta: "
        "«{evidence}»",
        "title_offer_current": "Tu título actual {title} corresponde al título de la oferta.",
        "summary_rewritten": "Reescrito a partir de tus propios títulos, fechas y competencias, "
        "empezando por lo que pide la oferta.",
        "experience_relevant_first": "Primero la experiencia relacionada con la oferta, la más "
        "reciente primero.",
        "projects_reordered": "Los proyectos más cercanos a la oferta van primero.",
        "skill_from_experience": "La oferta la pide. De tu experiencia como {where}: «{text}»",
        "skill_from_project": "La oferta la pide. De tu proyecto {where}: «{text}»",
        "skill_from_extra": "La oferta la pide. De tu información adicional ({where}): «{text}»",
        "skill_from_summary": "La oferta la pide. De tu resumen: «{text}»",
    },
}

# (with several years, with one year, without years, skills sentence)
SUMMARY_TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "en": ("{title} with {years} years of experience.", "{title} with 1 year of experience.",
           "{title}.", "Key skills: {skills}."),
    "fr": ("{title}, {years} ans d'expérience.", "{title}, 1 an d'expérience.", "{title}.",
           "Compétences clés : {skills}."),
    "de": ("{title} mit {years} Jahren Berufserfahrung.", "{title} mit 1 Jahr Berufserfahrung.",
           "{title}.", "Kernkompetenzen: {skills}."),
    "es": ("{title} con {years} años de experiencia.", "{title} con 1 año de experiencia.",
           "{title}.", "Competencias clave: {skills}."),
}  # fmt: skip

# A summary rewritten for an offer: the opening (several years, one year, no known years), the
# sentence of skills the offer asks for, the sentence of the most relevant roles, one role, and
# the word before the last item of a list.
TAILORED_SUMMARY: dict[str, dict[str, str]] = {
    "en": {"years": "{title} with {years} years of experience.",
           "year": "{title} with 1 year of experience.", "bare": "{title}.",
           "skills": "Key skills for this role: {skills}.", "roles": "Experience as {roles}.",
           "role": "{title} at {company}", "and": "and"},
    "fr": {"years": "{title}, {years} ans d'expérience.", "year": "{title}, 1 an d'expérience.",
           "bare": "{title}.", "skills": "Compétences clés pour ce poste : {skills}.",
           "roles": "Expérience : {roles}.", "role": "{title} chez {company}", "and": "et"},
    "de": {"years": "{title} mit {years} Jahren Berufserfahrung.",
           "year": "{title} mit 1 Jahr Berufserfahrung.", "bare": "{title}.",
           "skills": "Kernkompetenzen für diese Stelle: {skills}.",
           "roles": "Stationen: {roles}.", "role": "{title} bei {company}", "and": "und"},
    "es": {"years": "{title} con {years} años de experiencia.",
           "year": "{title} con 1 año de experiencia.", "bare": "{title}.",
           "skills": "Competencias clave para este puesto: {skills}.",
           "roles": "Experiencia como {roles}.", "role": "{title} en {company}", "and": "y"},
}  # fmt: skip
