"""A curated multilingual vocabulary of job skills, languages and degrees, and its matcher.

It also holds the words job offers are read with (section headings, contract types, cities).
Each canonical skill lists its synonyms and spellings in en/fr/de/es. A synonym starting with
"=" only matches with exactly that case ("=Go", "=React"), for names that are also common words.
All matching is done on folded text (lower case, no accents) with the same length as the
original, so spans point into the text the caller gave.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

CATEGORIES = ("hard_skills", "tools", "methodologies", "soft_skills")

_ENGINEERING_SKILLS: dict[str, tuple[str, ...]] = {
    # Programming languages
    "Python": ("python3", "python 3"),
    "Java": ("java 8", "java 11", "java 17", "java 21", "java ee", "jakarta ee", "j2ee"),
    "JavaScript": ("js", "es6", "ecmascript", "vanilla js", "vanilla javascript"),
    "TypeScript": (),
    "C": ("=C", "c language", "langage c", "ansi c"),
    "C++": ("cpp", "c++11", "c++14", "c++17", "c++20"),
    "C#": ("csharp", "c sharp"),
    "Go": ("=Go", "golang", "go lang", "go language"),
    "Rust": ("=Rust", "rustlang"),
    "Ruby": ("=Ruby",),
    "PHP": ("php7", "php 8", "php8"),
    "Kotlin": (),
    "Swift": ("=Swift",),
    "Objective-C": ("objective c", "objc", "obj-c"),
    "Scala": ("=Scala",),
    "R": ("=R", "r language", "r programming", "rstudio"),
    "MATLAB": ("simulink",),
    "Perl": (),
    "Dart": ("=Dart",),
    "Elixir": ("=Elixir",),
    "Erlang": (),
    "Haskell": (),
    "Clojure": (),
    "F#": ("fsharp",),
    "Lua": ("=Lua",),
    "Groovy": ("=Groovy",),
    "Shell scripting": ("bash", "bash scripting", "shell script", "shell scripts", "scripts shell"),
    "PowerShell": (),
    "SQL": ("t-sql", "tsql", "pl/sql", "plsql", "ansi sql", "requetes sql"),
    "HTML": ("html5", "html 5"),
    "CSS": ("css3", "css 3"),
    "Sass": ("=Sass", "scss"),
    "VBA": ("visual basic", "vb.net"),
    "COBOL": (),
    "Fortran": (),
    "Assembly language": ("assembler", "assembleur", "assembly"),
    "Solidity": (),
    "VHDL": (),
    "Verilog": (),
    "ABAP": (),
    "LaTeX": (),
    # Frameworks and libraries
    "Django": (),
    "Django REST Framework": ("drf", "django rest", "django-rest-framework"),
    "FastAPI": ("fast api",),
    "Flask": ("=Flask",),
    "Spring Boot": ("=Spring", "spring framework", "springboot", "spring mvc"),
    "Hibernate": ("jpa",),
    ".NET": ("dotnet", ".net core", ".net framework", ".net 6", ".net 8"),
    "ASP.NET": ("asp.net core", "asp.net mvc"),
    "Entity Framework": ("ef core",),
    "Node.js": ("nodejs", "node js", "=Node"),
    "Express.js": ("expressjs", "express js"),
    "NestJS": ("nest.js", "nest js"),
    "Next.js": ("nextjs", "next js"),
    "Nuxt.js": ("nuxt", "nuxtjs"),
    "React": ("=React", "react.js", "reactjs", "react js"),
    "React Native": (),
    "Angular": ("=Angular", "angularjs", "angular.js"),
    "Vue.js": ("=Vue", "vuejs", "vue js", "vue 3", "vue3"),
    "Svelte": ("sveltekit",),
    "jQuery": (),
    "Redux": (),
    "Tailwind CSS": ("tailwind", "tailwindcss"),
    "Bootstrap": ("=Bootstrap",),
    "Ruby on Rails": ("=Rails", "rails framework"),
    "Laravel": (),
    "Symfony": (),
    "Flutter": (),
    "SwiftUI": (),
    "Jetpack Compose": (),
    "Android": ("android sdk", "developpement android"),
    "iOS": ("ios development", "developpement ios"),
    "Unity": ("=Unity", "unity3d"),
    "Unreal Engine": ("unreal",),
    "Qt": ("=Qt",),
    "asyncio": (),
    "Celery": ("=Celery",),
    "SQLAlchemy": (),
    "Pandas": (),
    "NumPy": (),
    "SciPy": (),
    "scikit-learn": ("sklearn", "scikit learn"),
    "TensorFlow": (),
    "PyTorch": (),
    "Keras": (),
    "Hugging Face": ("huggingface",),
    "LangChain": (),
    "OpenCV": (),
    "Matplotlib": ("seaborn",),
    "GraphQL": (),
    "gRPC": (),
    # Engineering practice and architecture
    "REST APIs": (
        "=REST", "restful", "rest api", "api rest", "apis rest", "restful api", "rest apis",
    ),
    "Microservices": (
        "microservice", "micro-services", "microservicios", "microservices architecture",
        "architecture microservices", "arquitectura de microservicios",
    ),
    "Event-driven architecture": (
        "event-driven", "event sourcing", "architecture evenementielle",
        "ereignisgesteuerte architektur", "arquitectura orientada a eventos",
    ),
    "Software architecture": (
        "architecture logicielle", "softwarearchitektur", "arquitectura de software",
        "system architecture", "architecture technique",
    ),
    "System design": ("systems design", "conception de systemes"),
    "Distributed systems": ("systemes distribues", "verteilte systeme", "sistemas distribuidos"),
    "Object-oriented programming": (
        "oop", "poo", "object oriented", "programmation orientee objet",
        "objektorientierte programmierung", "programacion orientada a objetos",
    ),
    "Functional programming": (
        "programmation fonctionnelle", "funktionale programmierung", "programacion funcional",
    ),
    "Asynchronous programming": (
        "async programming", "async/await", "programmation asynchrone",
        "asynchrone programmierung", "programacion asincrona",
    ),
    "Algorithms and data structures": (
        "algorithms", "algorithm", "data structures", "algorithmique", "algorithmes",
        "structures de donnees", "algorithmen", "datenstrukturen", "algoritmos",
        "estructuras de datos",
    ),
    "Design patterns": ("design pattern", "patrons de conception", "entwurfsmuster",
                        "patrones de diseno"),
    "Data modeling": (
        "data modelling", "data model", "modelisation de donnees", "modelisation des donnees",
        "datenmodellierung", "modelado de datos",
    ),
    "Database design": (
        "schema design", "conception de bases de donnees", "datenbankdesign",
        "diseno de bases de datos",
    ),
    "Query optimization": (
        "query optimisation", "sql optimization", "optimisation de requetes", "optimisation sql",
        "abfrageoptimierung", "optimizacion de consultas", "query tuning",
    ),
    "Caching": ("caching strategies", "mise en cache", "cache distribue"),
    "API design": ("conception d'api", "api-design", "diseno de apis"),
    "Web development": ("developpement web", "webentwicklung", "desarrollo web"),
    "Frontend development": (
        "frontend", "front-end", "front end", "developpement front", "frontend-entwicklung",
        "desarrollo frontend",
    ),
    "Backend development": (
        "backend", "back-end", "back end", "developpement back", "backend-entwicklung",
        "desarrollo backend",
    ),
    "Full-stack development": ("full stack", "fullstack", "full-stack"),
    "Mobile development": (
        "developpement mobile", "mobile-entwicklung", "desarrollo movil", "mobile apps",
        "applications mobiles",
    ),
    "Embedded systems": (
        "embedded", "systemes embarques", "logiciel embarque", "eingebettete systeme",
        "sistemas embebidos", "firmware",
    ),
    "Networking": ("reseaux", "tcp/ip", "netzwerktechnik", "redes", "administration reseau",
                   "network administration"),
    "Cybersecurity": (
        "cyber security", "cybersecurite", "securite informatique", "it security",
        "information security", "infosec", "it-sicherheit", "informationssicherheit",
        "ciberseguridad", "seguridad informatica",
    ),
    "Penetration testing": ("pentest", "pentesting", "pen testing", "tests d'intrusion",
                            "penetrationstests"),
    "Cryptography": ("cryptographie", "kryptographie", "criptografia", "encryption",
                     "chiffrement"),
    "Identity and access management": (
        "iam", "oauth", "oauth2", "openid connect", "oidc", "single sign-on", "keycloak",
    ),
    "Cloud computing": ("cloud native", "cloud-native", "informatique en nuage",
                        "cloud architecture"),
    "Containerization": (
        "containerisation", "conteneurisation", "containers", "container", "conteneurs",
        "containerisierung", "contenedores",
    ),
    "Observability": ("observabilite", "observabilitat", "observabilidad"),
    "Monitoring": ("supervision", "uberwachung", "monitorizacion", "monitoreo", "alerting"),
    "Site reliability engineering": ("sre", "site reliability"),
    "Performance optimization": (
        "performance tuning", "performance optimisation", "optimisation des performances",
        "performance-optimierung", "optimizacion del rendimiento",
    ),
    "Scalability": ("scalabilite", "skalierbarkeit", "escalabilidad", "high availability",
                    "haute disponibilite", "hochverfugbarkeit", "alta disponibilidad"),
    "Unit testing": ("unit tests", "tests unitaires", "unit-tests", "unittests",
                     "pruebas unitarias", "tests unitarios"),
    "Test automation": (
        "automated testing", "automatisation des tests", "tests automatises",
        "testautomatisierung", "automatizacion de pruebas", "end-to-end testing",
        "e2e testing", "integration testing", "tests d'integration",
    ),
    "Quality assurance": ("qa", "assurance qualite", "qualitatssicherung",
                          "aseguramiento de la calidad", "software testing"),
}  # fmt: skip

_DATA_SKILLS: dict[str, tuple[str, ...]] = {
    # Data and AI
    "Machine Learning": (
        "=ML", "apprentissage automatique", "maschinelles lernen", "aprendizaje automatico",
    ),
    "Deep Learning": (
        "apprentissage profond", "aprendizaje profundo", "neural networks",
        "reseaux de neurones", "neuronale netze", "redes neuronales",
    ),
    "Natural language processing": (
        "=NLP", "traitement du langage naturel", "verarbeitung naturlicher sprache",
        "procesamiento del lenguaje natural", "text mining",
    ),
    "Computer vision": (
        "vision par ordinateur", "bildverarbeitung", "vision por computador",
        "vision artificial", "image processing", "traitement d'images",
    ),
    "Generative AI": ("genai", "gen ai", "ia generative", "generative ki", "ia generativa"),
    "Large language models": ("llm", "llms", "grands modeles de langage", "gpt"),
    "Artificial intelligence": (
        "=AI", "=IA", "=KI", "intelligence artificielle", "kunstliche intelligenz",
        "inteligencia artificial",
    ),
    "Prompt engineering": (),
    "MLOps": ("ml ops",),
    "Data science": ("science des donnees", "datenwissenschaft", "ciencia de datos"),
    "Data analysis": (
        "data analytics", "analyse de donnees", "analyse des donnees", "datenanalyse",
        "analisis de datos",
    ),
    "Data engineering": ("ingenierie des donnees", "ingenierie de donnees",
                         "ingenieria de datos"),
    "Data visualization": (
        "data visualisation", "dataviz", "data viz", "visualisation de donnees",
        "datenvisualisierung", "visualizacion de datos", "dashboards", "dashboarding",
        "tableaux de bord",
    ),
    "Statistics": (
        "statistiques", "statistik", "estadistica", "statistical analysis",
        "analyse statistique", "statistical modeling",
    ),
    "ETL": ("elt", "etl/elt"),
    "Data warehousing": ("data warehouse", "entrepot de donnees", "datawarehouse", "dwh",
                         "data lake", "datalake", "lakehouse"),
    "Big data": ("megadonnees",),
    "Data pipelines": ("data pipeline", "pipelines de donnees", "datenpipelines",
                       "pipelines de datos"),
    "Stream processing": ("event streaming", "data streaming", "traitement en temps reel"),
    "Data governance": ("gouvernance des donnees", "gobierno del dato", "data quality",
                        "qualite des donnees"),
    "Business intelligence": ("=BI", "informatique decisionnelle", "decisionnel"),
    "Time series analysis": ("time series", "series temporelles", "zeitreihen",
                             "series temporales"),
    "Recommender systems": ("recommendation systems", "systemes de recommandation",
                            "recommendation engine"),
    "Reinforcement learning": (),
    "Web scraping": ("scraping", "crawling"),
}  # fmt: skip

_PRODUCT_SKILLS: dict[str, tuple[str, ...]] = {
    # Product
    "Product management": ("gestion de produit", "produktmanagement", "gestion de producto"),
    "Product strategy": ("strategie produit", "produktstrategie", "estrategia de producto",
                         "product vision", "vision produit"),
    "Product roadmap": ("roadmap", "roadmaps", "roadmapping", "feuille de route",
                        "roadmap produit", "produkt-roadmap", "hoja de ruta"),
    "Product discovery": ("discovery produit", "decouverte produit"),
    "Customer discovery": (
        "customer interviews", "user interviews", "entretiens utilisateurs",
        "interviews utilisateurs", "nutzerinterviews", "entrevistas con usuarios",
    ),
    "User research": ("ux research", "recherche utilisateur", "nutzerforschung",
                      "investigacion de usuarios", "user testing", "tests utilisateurs"),
    "Usability testing": ("usability", "tests d'utilisabilite", "usability-tests",
                          "pruebas de usabilidad"),
    "Backlog management": ("product backlog", "backlog", "gestion du backlog",
                           "gestion del backlog"),
    "User stories": ("user story", "recits utilisateurs", "historias de usuario"),
    "Acceptance criteria": ("criteres d'acceptation", "akzeptanzkriterien",
                            "criterios de aceptacion"),
    "Product requirements documents": (
        "prd", "prds", "product requirements", "product requirement document",
        "specifications fonctionnelles", "cahier des charges", "lastenheft", "pflichtenheft",
    ),
    "Product analytics": ("analytics produit", "analitica de producto"),
    "Funnel analysis": ("funnel data", "funnels", "conversion funnel", "tunnel de conversion",
                        "funnel-analyse", "embudo de conversion"),
    "Product-led growth": ("=PLG", "product led growth"),
    "Customer journey mapping": ("customer journey", "parcours client", "user journey",
                                 "parcours utilisateur", "kundenreise", "viaje del cliente"),
    "SaaS": ("software as a service",),
    "B2B": ("business to business",),
    "B2C": ("business to consumer",),
    "Net Promoter Score": ("=NPS",),
    "Customer experience": ("=CX", "experience client", "kundenerlebnis",
                            "experiencia de cliente"),
}  # fmt: skip

_DESIGN_SKILLS: dict[str, tuple[str, ...]] = {
    # Design
    "UX design": ("=UX", "user experience", "experience utilisateur", "ux-design",
                  "nutzererfahrung", "experiencia de usuario", "ux/ui", "ui/ux", "diseno ux"),
    "UI design": ("=UI", "user interface design", "interface utilisateur", "ui-design",
                  "diseno ui", "diseno de interfaces"),
    "Interaction design": ("ixd", "design d'interaction", "interaktionsdesign",
                           "diseno de interaccion"),
    "Wireframing": ("wireframes", "wireframe", "maquettage", "maquettes"),
    "Prototyping": ("prototypes", "prototype", "prototypage", "prototipado"),
    "Visual design": ("design visuel", "visuelles design", "diseno visual"),
    "Graphic design": ("graphisme", "design graphique", "grafikdesign", "diseno grafico",
                       "=PAO"),
    "Design systems": ("design system", "systeme de design", "sistema de diseno"),
    "Accessibility": ("a11y", "wcag", "accessibilite", "barrierefreiheit", "accesibilidad",
                      "rgaa"),
    "Information architecture": ("architecture de l'information", "informationsarchitektur",
                                 "arquitectura de la informacion"),
    "Motion design": ("motion graphics",),
    "Typography": ("typographie", "typografie", "tipografia"),
    "Video editing": ("montage video", "videoschnitt", "edicion de video",
                      "video production"),
    "Photography": ("photographie", "fotografie", "fotografia"),
    "3D modeling": ("3d modelling", "modelisation 3d", "3d-modellierung", "modelado 3d"),
}  # fmt: skip

_MARKETING_SKILLS: dict[str, tuple[str, ...]] = {
    # Marketing
    "Digital marketing": ("marketing digital", "online marketing", "online-marketing",
                          "webmarketing", "web marketing", "marketing numerique"),
    "SEO": (
        "search engine optimization", "search engine optimisation", "referencement naturel",
        "suchmaschinenoptimierung", "posicionamiento web", "posicionamiento seo",
    ),
    "SEA": (
        "=SEA", "=SEM", "search engine advertising", "search engine marketing",
        "referencement payant", "ppc", "pay-per-click", "paid search",
        "suchmaschinenwerbung",
    ),
    "Content marketing": (
        "marketing de contenu", "content-marketing", "marketing de contenidos",
        "content creation", "creation de contenu", "creacion de contenido", "content strategy",
        "strategie de contenu",
    ),
    "Copywriting": ("copywriter", "redaction web", "texterstellung", "redaccion publicitaria",
                    "ux writing", "redaction de contenus"),
    "Social media marketing": ("social media", "reseaux sociaux", "social-media",
                               "redes sociales", "soziale medien", "social ads"),
    "Community management": ("community manager", "gestion de communaute",
                             "gestion de comunidades"),
    "Email marketing": ("e-mail marketing", "emailing", "e-mailing", "newsletter",
                        "newsletters", "marketing par email", "e-mail-marketing"),
    "Marketing automation": ("automatisation marketing", "marketing-automatisierung",
                             "automatizacion del marketing"),
    "Growth marketing": ("growth hacking", "growth hacker"),
    "Performance marketing": ("acquisition payante", "paid acquisition", "paid media",
                              "paid social", "user acquisition"),
    "Brand management": ("branding", "brand strategy", "gestion de marque",
                         "strategie de marque", "markenfuhrung", "gestion de marca"),
    "Public relations": ("=PR", "relations presse", "relations publiques",
                         "offentlichkeitsarbeit", "relaciones publicas", "press relations"),
    "Event management": ("evenementiel", "event marketing", "gestion d'evenements",
                         "eventmanagement", "organizacion de eventos", "event planning"),
    "Market research": (
        "etude de marche", "etudes de marche", "marktforschung", "investigacion de mercados",
        "estudio de mercado", "market analysis", "analyse de marche", "marktanalyse",
        "analisis de mercado",
    ),
    "Competitive analysis": (
        "competitive intelligence", "analyse concurrentielle", "veille concurrentielle",
        "wettbewerbsanalyse", "analisis de la competencia", "analisis competitivo",
        "benchmark concurrentiel",
    ),
    "Lead generation": ("generation de leads", "leadgenerierung", "generacion de leads",
                        "demand generation"),
    "Inbound marketing": (),
    "Influencer marketing": ("marketing d'influence", "influence marketing",
                             "marketing de influencers", "influencer-marketing"),
    "Affiliate marketing": ("marketing d'affiliation", "affiliate-marketing",
                            "marketing de afiliacion"),
    "Conversion rate optimization": ("=CRO", "optimisation du taux de conversion",
                                     "conversion optimization"),
    "Web analytics": ("webanalyse", "analitica web", "analyse d'audience",
                      "digital analytics"),
    "Product marketing": ("marketing produit", "produktmarketing", "marketing de producto"),
    "Marketing strategy": ("strategie marketing", "marketingstrategie",
                           "estrategia de marketing", "plan marketing", "marketing plan"),
    "Go-to-market strategy": ("go-to-market", "go to market", "mise sur le marche",
                              "markteinfuhrung"),
    "Customer segmentation": ("segmentation", "segmentation client", "kundensegmentierung",
                              "segmentacion de clientes"),
    "Pricing": ("tarification", "pricing strategy", "preisgestaltung", "fijacion de precios",
                "strategie de prix"),
    "E-commerce": ("ecommerce", "commerce en ligne", "online-handel", "comercio electronico",
                   "vente en ligne"),
}  # fmt: skip

_SALES_SKILLS: dict[str, tuple[str, ...]] = {
    # Sales and customers
    "Sales": ("vente", "ventes", "vertrieb", "ventas", "selling"),
    "Business development": ("biz dev", "bizdev", "developpement commercial",
                             "developpement des affaires", "geschaftsentwicklung",
                             "desarrollo de negocio"),
    "Prospecting": ("prospection", "prospection commerciale", "akquise", "kundenakquise",
                    "neukundenakquise", "prospeccion", "cold calling", "cold emailing"),
    "Account management": ("gestion de comptes", "gestion de portefeuille clients",
                           "kundenbetreuung", "gestion de cuentas"),
    "Key account management": ("=KAM", "grands comptes", "key accounts",
                               "gestion des grands comptes", "grandes cuentas"),
    "Pipeline management": ("sales pipeline", "gestion du pipeline"),
    "Customer success": ("customer success management", "succes client", "reussite client",
                         "kundenerfolg", "exito del cliente"),
    "Customer service": (
        "customer support", "service client", "relation client", "support client",
        "kundenservice", "kundendienst", "atencion al cliente", "servicio al cliente",
        "customer care",
    ),
    "Pre-sales": ("presales", "avant-vente", "preventa"),
    "Solution selling": ("vente de solutions", "vente consultative", "consultative selling",
                         "losungsvertrieb", "venta consultiva"),
    "Retail": ("commerce de detail", "einzelhandel", "venta minorista", "grande distribution",
               "retail sales"),
    "Customer relationship management": ("crm", "gestion de la relation client",
                                         "kundenbeziehungsmanagement"),
    "Merchandising": ("visual merchandising",),
}  # fmt: skip

_OPERATIONS_SKILLS: dict[str, tuple[str, ...]] = {
    # Operations
    "Purchasing": ("achats", "procurement", "approvisionnement", "einkauf", "beschaffung",
                   "compras", "aprovisionamiento"),
    "Supply chain management": ("supply chain", "chaine logistique",
                                "chaine d'approvisionnement", "lieferkette",
                                "cadena de suministro"),
    "Logistics": ("logistique", "logistik", "logistica"),
    "Inventory management": ("gestion des stocks", "gestion de stock", "lagerverwaltung",
                             "bestandsmanagement", "gestion de inventario", "gestion de stocks"),
    "Operations management": ("gestion des operations", "betriebsfuhrung",
                              "gestion de operaciones"),
    "Quality management": ("gestion de la qualite", "management de la qualite",
                           "qualitatsmanagement", "gestion de calidad", "qhse"),
    "Project management": (
        "gestion de projet", "gestion de projets", "conduite de projet", "projektmanagement",
        "projektleitung", "gestion de proyectos",
    ),
    "Program management": ("gestion de programme", "programmmanagement",
                           "gestion de programas"),
    "Change management": ("conduite du changement", "gestion du changement",
                          "changemanagement", "veranderungsmanagement", "gestion del cambio"),
    "Process improvement": (
        "amelioration des processus", "prozessoptimierung", "prozessverbesserung",
        "mejora de procesos", "process optimization", "optimisation des processus",
    ),
    "Business analysis": ("analyse metier", "analyse fonctionnelle", "geschaftsanalyse",
                          "analisis de negocio", "functional analysis"),
    "Requirements gathering": (
        "requirements analysis", "recueil des besoins", "expression des besoins",
        "analyse des besoins", "anforderungsanalyse", "anforderungsmanagement",
        "requirements engineering", "levantamiento de requisitos",
    ),
    "Vendor management": ("gestion des fournisseurs", "supplier management",
                          "lieferantenmanagement", "gestion de proveedores"),
    "Contract management": ("gestion des contrats", "vertragsmanagement",
                            "gestion de contratos"),
    "Technical writing": ("documentation technique", "redaction technique",
                          "technische dokumentation", "redaccion tecnica"),
    "Translation": ("traduction", "ubersetzung", "traduccion"),
}  # fmt: skip

_FINANCE_SKILLS: dict[str, tuple[str, ...]] = {
    # Finance
    "Accounting": (
        "comptabilite", "comptabilite generale", "buchhaltung", "finanzbuchhaltung",
        "rechnungswesen", "contabilidad", "contabilidad general", "bookkeeping",
        "general accounting", "tenue de comptabilite",
    ),
    "Cost accounting": ("comptabilite analytique", "kostenrechnung", "contabilidad analitica",
                        "contabilidad de costes", "management accounting"),
    "Financial analysis": ("analyse financiere", "finanzanalyse", "analisis financiero"),
    "Financial modeling": ("financial modelling", "modelisation financiere",
                           "finanzmodellierung", "modelado financiero",
                           "modelizacion financiera"),
    "Budgeting": ("budget", "budgets", "budgetisation", "elaboration budgetaire",
                  "budgetierung", "budgetplanung", "presupuestos", "gestion budgetaire",
                  "budget management"),
    "Forecasting": ("forecast", "forecasts", "previsions", "prevision", "prognose",
                    "previsiones", "rolling forecast"),
    "Reporting": ("berichtswesen", "reportes"),
    "Financial reporting": ("reporting financier", "finanzberichterstattung",
                            "informes financieros"),
    "Management control": ("controle de gestion", "controlling", "control de gestion",
                           "financial control"),
    "Audit": ("auditing", "audit interne", "internal audit", "audit externe", "external audit",
              "wirtschaftsprufung", "auditoria", "commissariat aux comptes"),
    "Taxation": (
        "tax compliance", "tax returns", "corporate tax", "fiscalite", "declarations fiscales",
        "steuerrecht", "steuererklarungen", "fiscalidad", "impuestos", "=TVA", "=VAT",
        "umsatzsteuer", "=IVA",
    ),
    "Payroll": ("paie", "gestion de la paie", "lohnabrechnung", "gehaltsabrechnung",
                "entgeltabrechnung", "nominas", "nomina"),
    "Treasury": ("tresorerie", "treasury management", "gestion de tresorerie",
                 "cash management", "liquiditatsmanagement", "tesoreria"),
    "Consolidation": ("consolidation des comptes", "konsolidierung", "consolidacion"),
    "IFRS": (),
    "US GAAP": ("gaap",),
    "Corporate finance": ("finance d'entreprise", "unternehmensfinanzierung",
                          "finanzas corporativas"),
    "Mergers and acquisitions": ("m&a", "fusions-acquisitions", "fusions et acquisitions",
                                 "fusiones y adquisiciones"),
    "Risk management": ("gestion des risques", "risikomanagement", "gestion de riesgos",
                        "risk assessment"),
    "Compliance": ("conformite", "regulatory compliance", "conformite reglementaire",
                   "cumplimiento normativo"),
    "Valuation": ("valorisation", "valoracion", "company valuation"),
    "Credit analysis": ("analyse credit", "analyse de credit", "kreditanalyse",
                        "analisis de credito", "credit risk"),
    "Accounts payable": ("comptabilite fournisseurs", "kreditorenbuchhaltung",
                         "cuentas a pagar", "cuentas por pagar"),
    "Accounts receivable": ("comptabilite clients", "recouvrement", "debitorenbuchhaltung",
                            "cuentas a cobrar", "cuentas por cobrar", "credit collection"),
    "Invoicing": ("facturation", "rechnungsstellung", "facturacion", "billing"),
    "Financial statements": ("bilan", "bilans", "etats financiers", "jahresabschluss",
                             "jahresabschlusse", "estados financieros", "annual accounts",
                             "clotures comptables", "cloture comptable"),
    "Business plan": ("business plans", "plan d'affaires", "businessplan", "plan de negocio"),
}  # fmt: skip

_PEOPLE_SKILLS: dict[str, tuple[str, ...]] = {
    # People and HR
    "Recruitment": ("recrutement", "recruiting", "talent acquisition", "personalbeschaffung",
                    "rekrutierung", "reclutamiento", "seleccion de personal"),
    "Sourcing": ("chasse de tetes", "headhunting", "active sourcing"),
    "Onboarding": ("integration des collaborateurs", "einarbeitung", "incorporacion"),
    "HR management": (
        "human resources", "ressources humaines", "=RH", "=HR", "personalwesen",
        "personalmanagement", "recursos humanos", "=RRHH",
        "gestion des ressources humaines", "administration du personnel",
    ),
    "Talent management": ("gestion des talents", "talentmanagement", "gestion del talento"),
    "Employee relations": ("relations sociales", "arbeitsbeziehungen", "relaciones laborales",
                           "industrial relations"),
    "Labour law": ("labor law", "employment law", "droit du travail", "droit social",
                   "arbeitsrecht", "derecho laboral", "derecho del trabajo"),
    "Compensation and benefits": ("c&b", "comp & ben", "compensation & benefits",
                                  "remuneration et avantages", "compensacion y beneficios"),
    "Training and development": ("learning and development", "l&d", "ingenierie de formation",
                                 "plan de formation", "personalentwicklung",
                                 "formacion de personal"),
    "Performance management": ("gestion de la performance", "performance reviews",
                               "leistungsmanagement", "gestion del desempeno",
                               "evaluacion del desempeno"),
    "HRIS": ("=SIRH", "hrms", "personalinformationssystem"),
    "Workforce planning": ("=GPEC", "=GEPP", "strategic workforce planning",
                           "personalplanung", "planificacion de plantilla"),
    "Employer branding": ("marque employeur", "arbeitgebermarke", "marca empleadora",
                          "employer brand"),
}  # fmt: skip

_FIELD_SKILLS: dict[str, tuple[str, ...]] = {
    # Healthcare
    "Basic Life Support": ("=BLS", "basic life support", "life support", "afgsu",
                           "soporte vital basico", "reanimation cardio-pulmonaire"),
    "Cannulation": ("cannula", "pose de voie veineuse", "venenzugang", "canalizacion venosa"),
    "IV drug administration": ("iv drug administration", "intravenous therapy", "iv therapy",
                               "administration of iv medication", "perfusions"),
    "Medication administration": ("administration des medicaments", "medikamentengabe",
                                  "administracion de medicamentos", "medicines administration"),
    "Wound care": ("soins de plaies", "pansements complexes", "wundversorgung",
                   "wundmanagement", "curas de heridas"),
    "Patient care": ("soins aux patients", "patientenversorgung", "atencion al paciente",
                     "grundpflege", "personal care", "soins d'hygiene et de confort"),
    "Record keeping": ("record-keeping", "pflegedokumentation", "transmissions ciblees"),
    "Triage": ("triaje",),
    "NMC registration": ("nmc registered", "nmc pin", "nmc registration as an adult nurse"),
    "Safeguarding": ("child protection", "protection de l'enfance", "kinderschutz",
                     "proteccion de menores"),
    "Infection control": ("infection prevention", "infection prevention and control",
                          "hygiene hospitaliere", "control de infecciones"),
    # Trades
    "Electrical installation": ("installation electrique", "installations electriques",
                                "elektroinstallation", "elektroinstallationen",
                                "instalaciones electricas", "electrical installations"),
    "Fault finding": ("fault-finding", "fehlersuche", "diagnostic de pannes",
                      "localizacion de averias", "breakdown repair"),
    "Plumbing": ("plomberie", "sanitarinstallation", "fontaneria"),
    "Welding": ("soudure", "soudage", "schweissen", "soldadura"),
    "TIG welding": ("=TIG", "wig-schweissen", "soldadura tig", "soudure tig"),
    "MIG welding": ("=MIG", "mig/mag", "soldadura mig", "soudure mig", "mag-schweissen"),
    "Technical drawing reading": ("blueprint reading", "engineering drawings",
                                  "technical drawings", "lecture de plans",
                                  "interpretation de plans", "interpretacion de planos",
                                  "technische zeichnungen", "zeichnungslesen"),
    "Carpentry": ("joinery", "menuiserie", "tischlerei", "carpinteria"),
    "Bricklaying": ("brickwork", "blockwork", "maconnerie", "mauerwerk", "albanileria"),
    "Driving licence": ("driving license", "driver's license", "full uk driving licence",
                        "permis b", "permis de conduire", "fuhrerschein", "fuhrerschein klasse b",
                        "carne de conducir", "carnet de conducir", "carne b",
                        "permiso de conducir"),
    "HGV licence": ("hgv licence", "lgv licence", "class 1 licence", "permis c", "permis ce",
                    "permis c+e", "fuhrerschein klasse ce", "fuhrerschein klasse c", "carne c",
                    "carne c+e"),
    "Forklift licence": ("forklift", "forklift licence", "counterbalance licence",
                         "reach truck licence", "caces", "caces r489", "staplerschein",
                         "gabelstaplerschein", "carne de carretillero",
                         "carretilla elevadora"),
    "CSCS card": ("=CSCS", "cscs card"),
    # Hospitality
    "Food hygiene": ("food safety", "food hygiene certificate", "hygiene alimentaire",
                     "lebensmittelhygiene", "manipulador de alimentos",
                     "carne de manipulador de alimentos", "level 2 food hygiene"),
    "Cocktail making": ("cocktails", "mixology", "cocteleria"),
    "Cellar management": ("gestion de cave",),
    "Cash handling": ("gestion de caisse", "encaissement", "kassenfuhrung", "manejo de caja",
                      "cash up", "cloture de caisse"),
    # Logistics
    "Order picking": ("preparation de commandes", "kommissionierung", "preparacion de pedidos"),
    "Warehouse management": ("=WMS", "gestion d'entrepot", "gestion de almacen",
                             "warehouse management system"),
    "Transport planning": ("route planning", "planification des transports", "tourenplanung",
                           "planificacion de rutas"),
    "Tachograph": ("chronotachygraphe", "fahrerkarte", "tarjeta de tacografo", "tacografo",
                   "digital tachograph"),
    "Load securing": ("ladungssicherung", "arrimage des charges"),
    # Teaching
    "Lesson planning": ("preparation de cours", "unterrichtsplanung", "programacion didactica"),
    "Behaviour management": ("behavior management", "classroom management",
                             "gestion de classe", "klassenfuhrung", "gestion del aula"),
    "Qualified Teacher Status": ("=QTS", "qualified teacher status qts"),
    "PGCE": ("=PGCE",),
    "Phonics": ("synthetic phonics",),
    "Special educational needs": ("=SEND", "special educational needs and disabilities",
                                  "besoins educatifs particuliers",
                                  "sonderpadagogischer forderbedarf",
                                  "necesidades educativas especiales"),
    # Accounting
    "Bank reconciliation": ("bank reconciliations", "rapprochement bancaire",
                            "rapprochements bancaires", "bankabstimmung",
                            "conciliacion bancaria", "conciliaciones bancarias"),
    "VAT returns": ("vat return", "declarations de tva", "declaration de tva",
                    "umsatzsteuervoranmeldung", "umsatzsteuervoranmeldungen",
                    "liquidacion de iva"),
    "HGB": ("=HGB",),
    "UK GAAP": ("frs 102",),
    "Plan General Contable": ("=PGC",),
    "ACCA": ("=ACCA",),
    "CIMA": ("=CIMA",),
    "AAT": ("=AAT",),
    # Mechanical engineering
    "Finite element analysis": ("=FEA", "=FEM", "elements finis", "finite-elemente-methode",
                                "elementos finitos", "analyse par elements finis"),
    "Hydraulics": ("hydraulic systems", "hydraulique", "hydraulik", "hidraulica"),
    "Pneumatics": ("pneumatic systems", "pneumatique", "pneumatik", "neumatica"),
    "Mechanical design": ("conception mecanique", "diseno mecanico", "mechanische konstruktion"),
    # Sales
    "Field sales": ("vente terrain", "aussendienst", "venta de campo"),
}  # fmt: skip

HARD_SKILLS: dict[str, tuple[str, ...]] = {
    **_ENGINEERING_SKILLS,
    **_DATA_SKILLS,
    **_PRODUCT_SKILLS,
    **_DESIGN_SKILLS,
    **_MARKETING_SKILLS,
    **_SALES_SKILLS,
    **_OPERATIONS_SKILLS,
    **_FINANCE_SKILLS,
    **_PEOPLE_SKILLS,
    **_FIELD_SKILLS,
}

_ENGINEERING_TOOLS: dict[str, tuple[str, ...]] = {
    # Cloud
    "AWS": ("amazon web services",),
    "Microsoft Azure": ("azure",),
    "Google Cloud": ("gcp", "google cloud platform"),
    "AWS Lambda": ("lambda functions",),
    "Amazon S3": ("=S3", "s3 buckets"),
    "Amazon EC2": ("ec2",),
    "Amazon ECS": ("=ECS", "elastic container service"),
    "Amazon EKS": ("=EKS",),
    "Amazon RDS": ("=RDS", "aws rds"),
    "Amazon ElastiCache": ("elasticache",),
    "Amazon DynamoDB": ("dynamodb",),
    "Amazon SQS": ("=SQS",),
    "Amazon Redshift": ("redshift",),
    "AWS CloudFormation": ("cloudformation",),
    "Heroku": (),
    "Vercel": (),
    "Netlify": (),
    "Firebase": (),
    "DigitalOcean": ("digital ocean",),
    "OVHcloud": ("=OVH",),
    "Cloudflare": (),
    "Supabase": (),
    # DevOps and infrastructure
    "Docker": ("docker compose", "docker-compose", "dockerfile"),
    "Kubernetes": ("k8s",),
    "Helm": ("=Helm", "helm charts"),
    "Terraform": (),
    "Ansible": (),
    "Puppet": ("=Puppet",),
    "Jenkins": (),
    "GitHub Actions": ("github action", "gh actions"),
    "GitLab CI": ("gitlab ci/cd", "gitlab-ci", "gitlab pipelines"),
    "CircleCI": ("circle ci",),
    "Travis CI": ("travis",),
    "Argo CD": ("argocd",),
    "Git": (),
    "GitHub": (),
    "GitLab": (),
    "Bitbucket": (),
    "Nginx": (),
    "Apache HTTP Server": ("apache httpd", "apache2", "httpd"),
    "Linux": ("gnu/linux", "ubuntu", "debian", "centos", "red hat", "rhel"),
    "Unix": (),
    "Windows Server": (),
    "Active Directory": ("entra id", "azure ad"),
    "VMware": ("vsphere",),
    "Prometheus": (),
    "Grafana": (),
    "Datadog": (),
    "New Relic": (),
    "Sentry": ("=Sentry",),
    "ELK Stack": ("elk", "logstash", "kibana"),
    "Elasticsearch": ("elastic search", "opensearch"),
    "Splunk": (),
    "OpenTelemetry": ("otel", "open telemetry"),
    "PagerDuty": (),
    "Istio": (),
    "HashiCorp Vault": ("vault by hashicorp",),
    "OpenShift": (),
    "Nagios": (),
    "ServiceNow": (),
    # Databases and messaging
    "PostgreSQL": ("postgres", "psql", "postgre"),
    "MySQL": (),
    "MariaDB": (),
    "SQLite": (),
    "Oracle Database": ("=Oracle", "oracle db"),
    "Microsoft SQL Server": ("sql server", "mssql", "ms sql"),
    "MongoDB": ("mongo",),
    "Redis": (),
    "Cassandra": (),
    "Neo4j": (),
    "Memcached": (),
    "Snowflake": ("=Snowflake",),
    "BigQuery": ("google bigquery", "big query"),
    "Databricks": (),
    "ClickHouse": (),
    "InfluxDB": (),
    "Apache Kafka": ("kafka", "kafka streams"),
    "RabbitMQ": (),
    "Apache Spark": ("=Spark", "pyspark", "spark sql", "spark streaming"),
    "Hadoop": ("hdfs", "mapreduce"),
    "Apache Airflow": ("airflow",),
    "dbt": ("data build tool",),
    "Apache Flink": ("flink",),
}  # fmt: skip

_DATA_TOOLS: dict[str, tuple[str, ...]] = {
    # Analytics and BI
    "Tableau": ("=Tableau",),
    "Power BI": ("powerbi",),
    "Looker": ("looker studio",),
    "Metabase": (),
    "Qlik": ("qlikview", "qlik sense"),
    "Google Analytics": ("ga4", "universal analytics"),
    "Amplitude": ("=Amplitude",),
    "Mixpanel": (),
    "Hotjar": (),
    "Jupyter": ("jupyter notebook", "jupyter notebooks", "jupyterlab"),
    "Microsoft Excel": ("=Excel", "ms excel"),
    "Google Sheets": ("google spreadsheets",),
    "SPSS": (),
    "Stata": (),
    "MLflow": (),
    "Kubeflow": (),
}  # fmt: skip

_OFFICE_TOOLS: dict[str, tuple[str, ...]] = {
    # Productivity and collaboration
    "Jira": (),
    "Confluence": ("=Confluence",),
    "Trello": (),
    "Asana": ("=Asana",),
    "Notion": ("=Notion",),
    "Monday.com": (),
    "ClickUp": (),
    "Miro": ("=Miro",),
    "Slack": ("=Slack",),
    "Microsoft Teams": ("ms teams",),
    "Microsoft Office": ("ms office", "office 365", "microsoft 365", "pack office",
                         "suite office", "paquete office"),
    "Microsoft Word": ("ms word",),
    "Microsoft PowerPoint": ("powerpoint",),
    "Microsoft Outlook": ("=Outlook",),
    "Google Workspace": ("g suite", "gsuite", "google docs"),
    "SharePoint": (),
    "Microsoft Project": ("ms project",),
    "Airtable": (),
    "Zapier": (),
}  # fmt: skip

_DESIGN_TOOLS: dict[str, tuple[str, ...]] = {
    # Design
    "Figma": (),
    "Sketch": ("=Sketch",),
    "Adobe XD": (),
    "Adobe Photoshop": ("photoshop",),
    "Adobe Illustrator": ("=Illustrator",),
    "Adobe InDesign": ("indesign",),
    "Adobe After Effects": ("after effects",),
    "Adobe Premiere Pro": ("premiere pro", "adobe premiere"),
    "Adobe Creative Suite": ("creative suite", "creative cloud", "suite adobe", "adobe cc"),
    "Canva": (),
    "InVision": (),
    "Framer": ("=Framer",),
    "Blender": ("=Blender",),
    "AutoCAD": (),
    "SolidWorks": (),
    "Revit": (),
    "CATIA": (),
}  # fmt: skip

_MARKETING_TOOLS: dict[str, tuple[str, ...]] = {
    # Marketing and sales
    "Salesforce": ("sfdc",),
    "HubSpot": (),
    "Marketo": (),
    "Pipedrive": (),
    "Zoho CRM": ("zoho",),
    "Mailchimp": (),
    "Brevo": ("sendinblue",),
    "Google Ads": ("adwords", "google adwords"),
    "Meta Ads": ("facebook ads", "instagram ads", "meta business suite"),
    "LinkedIn Ads": (),
    "LinkedIn Sales Navigator": ("sales navigator",),
    "Semrush": (),
    "Ahrefs": (),
    "Google Search Console": ("search console",),
    "Google Tag Manager": ("=GTM", "tag manager"),
    "WordPress": (),
    "Shopify": (),
    "Magento": ("adobe commerce",),
    "PrestaShop": (),
    "Hootsuite": (),
    "Intercom": ("=Intercom",),
    "Zendesk": (),
    "Freshdesk": (),
    "Lemlist": (),
}  # fmt: skip

_BUSINESS_TOOLS: dict[str, tuple[str, ...]] = {
    # Finance and HR software
    "SAP": ("=SAP", "sap s/4hana", "s/4hana", "sap erp", "sap fi", "sap fi/co"),
    "Sage": ("=Sage",),
    "Cegid": (),
    "QuickBooks": (),
    "Xero": (),
    "Oracle NetSuite": ("netsuite",),
    "Workday": ("=Workday",),
    "SAP SuccessFactors": ("successfactors",),
    "BambooHR": (),
    "Lucca": (),
    "ADP": ("=ADP",),
    "DATEV": (),
    "Pennylane": (),
    "Bloomberg Terminal": ("bloomberg",),
    "Anaplan": (),
}  # fmt: skip

_FIELD_TOOLS: dict[str, tuple[str, ...]] = {
    "Siemens NX": ("nx cad", "unigraphics"),
    "Ansys": (),
    "Abaqus": (),
    "Teamcenter": (),
    "Opera PMS": ("opera cloud", "oracle opera"),
    "SAP EWM": ("sap extended warehouse management",),
}  # fmt: skip

_ENGINEERING_BUILD_TOOLS: dict[str, tuple[str, ...]] = {
    # Testing and build
    "pytest": (),
    "Jest": ("=Jest",),
    "JUnit": (),
    "Selenium": (),
    "Cypress": ("=Cypress",),
    "Playwright": ("=Playwright",),
    "Postman": ("=Postman",),
    "JMeter": (),
    "SonarQube": (),
    "Storybook": (),
    "Webpack": (),
    "Vite": ("=Vite",),
    "npm": ("yarn", "pnpm"),
    "Maven": (),
    "Gradle": (),
    "OpenAPI": ("swagger",),
    "Stripe": ("=Stripe",),
    "Visual Studio Code": ("vs code", "vscode"),
    "IntelliJ IDEA": ("intellij",),
}  # fmt: skip

TOOLS: dict[str, tuple[str, ...]] = {
    **_ENGINEERING_TOOLS,
    **_DATA_TOOLS,
    **_OFFICE_TOOLS,
    **_DESIGN_TOOLS,
    **_MARKETING_TOOLS,
    **_BUSINESS_TOOLS,
    **_ENGINEERING_BUILD_TOOLS,
    **_FIELD_TOOLS,
}

# Skills of another domain than the offer's can be dropped from a long list; office tools,
# methodologies and soft skills belong to no domain and are never judged irrelevant.
SKILL_DOMAINS: dict[str, str] = {
    **dict.fromkeys(_ENGINEERING_SKILLS, "engineering"),
    **dict.fromkeys(_DATA_SKILLS, "data"),
    **dict.fromkeys(_PRODUCT_SKILLS, "product"),
    **dict.fromkeys(_DESIGN_SKILLS, "design"),
    **dict.fromkeys(_MARKETING_SKILLS, "marketing"),
    **dict.fromkeys(_SALES_SKILLS, "sales"),
    **dict.fromkeys(_OPERATIONS_SKILLS, "operations"),
    **dict.fromkeys(_FINANCE_SKILLS, "finance"),
    **dict.fromkeys(_PEOPLE_SKILLS, "people"),
    **dict.fromkeys(_FIELD_SKILLS, "field"),
    **dict.fromkeys(_ENGINEERING_TOOLS, "engineering"),
    **dict.fromkeys(_DATA_TOOLS, "data"),
    **dict.fromkeys(_DESIGN_TOOLS, "design"),
    **dict.fromkeys(_MARKETING_TOOLS, "marketing"),
    **dict.fromkeys(_BUSINESS_TOOLS, "finance"),
    **dict.fromkeys(_ENGINEERING_BUILD_TOOLS, "engineering"),
}

METHODOLOGIES: dict[str, tuple[str, ...]] = {
    "Agile": (
        "agility", "agilite", "methodes agiles", "methodologie agile", "agile methodologies",
        "agile methods", "agil", "agile methoden", "metodologias agiles", "metodologia agil",
        "agilidad",
    ),
    "Scrum": ("scrum master",),
    "Kanban": (),
    "SAFe": ("=SAFe", "scaled agile", "scaled agile framework"),
    "Lean": ("=Lean", "lean management", "lean manufacturing"),
    "Six Sigma": ("6 sigma", "lean six sigma", "green belt", "black belt"),
    "Waterfall": ("cycle en v", "v-model", "wasserfall"),
    "PRINCE2": (),
    "PMP": ("pmbok",),
    "ITIL": (),
    "DevOps": (),
    "DevSecOps": (),
    "CI/CD": (
        "=CI", "ci-cd", "continuous integration", "continuous delivery",
        "continuous deployment", "integration continue", "deploiement continu",
        "livraison continue", "kontinuierliche integration", "integracion continua",
    ),
    "Infrastructure as Code": ("=IaC", "infrastructure-as-code",
                               "infrastructure en tant que code"),
    "Test-driven development": ("tdd", "test driven development",
                                "developpement pilote par les tests"),
    "Behavior-driven development": ("bdd", "behaviour-driven development",
                                    "behavior driven development"),
    "Domain-driven design": ("ddd", "domain driven design"),
    "Pair programming": ("programmation en binome", "pair-programming", "mob programming"),
    "Code review": ("code reviews", "revue de code", "revues de code", "code-reviews",
                    "revision de codigo"),
    "Clean code": ("clean architecture", "code propre", "sauberer code"),
    "SOLID principles": ("=SOLID",),
    "Design thinking": (),
    "Lean startup": (),
    "OKR": ("okrs", "objectives and key results"),
    "KPI": ("kpis", "key performance indicators", "indicateurs de performance", "kennzahlen"),
    "A/B testing": ("a/b tests", "ab testing", "a/b test", "split testing", "tests a/b",
                    "pruebas a/b"),
    "Experimentation": ("experiments", "experimentation", "experimentacion"),
    "Sprint planning": ("planification de sprint", "sprint-planung", "planificacion de sprint"),
    "Retrospectives": ("retrospective", "retrospektiven", "retrospectivas"),
    "User-centered design": (
        "user-centred design", "ucd", "human-centered design",
        "conception centree utilisateur", "nutzerzentriertes design",
        "diseno centrado en el usuario",
    ),
    "Jobs to be done": ("jtbd", "jobs-to-be-done"),
    "Continuous improvement": ("amelioration continue", "kaizen",
                               "kontinuierliche verbesserung", "=KVP", "mejora continua"),
    "GitOps": (),
    "Trunk-based development": (),
    "ISO 9001": (),
    "ISO 27001": ("iso/iec 27001",),
    "GDPR": ("rgpd", "dsgvo", "general data protection regulation"),
    "SOX": ("sarbanes-oxley",),
    "Incident management": (
        "on-call", "astreinte", "astreintes", "rufbereitschaft", "guardias", "postmortems",
        "postmortem", "runbooks", "incident response", "gestion des incidents",
        "gestion de incidentes",
    ),
    "Root cause analysis": ("=RCA", "analyse des causes", "ursachenanalyse",
                            "analisis de causa raiz"),
    "Business process modeling": ("bpmn", "modelisation des processus", "prozessmodellierung",
                                  "modelado de procesos"),
    "UML": (),
    "Merise": (),
    "Minimum viable product": ("=MVP",),
    "HACCP": (),
    "Good Manufacturing Practice": ("=GMP", "bonnes pratiques de fabrication"),
    "5S": (),
}  # fmt: skip

SOFT_SKILLS: dict[str, tuple[str, ...]] = {
    "Communication": (
        "communication skills", "kommunikation", "kommunikationsfahigkeit",
        "kommunikationsstarke", "comunicacion", "habilidades comunicativas",
        "aisance redactionnelle", "qualites redactionnelles",
    ),
    "Teamwork": (
        "team player", "team spirit", "travail en equipe", "esprit d'equipe", "teamfahigkeit",
        "teamgeist", "teamplayer", "trabajo en equipo",
    ),
    "Leadership": ("leadership skills", "fuhrungsqualitaten", "fuhrungskompetenz",
                   "fuhrungsstarke", "liderazgo"),
    "Problem solving": (
        "problem-solving", "problem solver", "resolution de problemes", "problemlosung",
        "problemlosungskompetenz", "losungsorientiert", "resolucion de problemas",
    ),
    "Critical thinking": ("esprit critique", "kritisches denken", "pensamiento critico"),
    "Analytical skills": (
        "analytical mind", "analytical thinking", "esprit d'analyse", "capacite d'analyse",
        "capacites d'analyse", "esprit analytique", "analytisches denken",
        "analytische fahigkeiten", "analytische denkweise", "capacidad analitica",
        "capacidad de analisis", "pensamiento analitico",
    ),
    "Adaptability": ("adaptabilite", "capacite d'adaptation", "anpassungsfahigkeit",
                     "adaptabilidad"),
    "Flexibility": ("flexibilite", "flexibilitat", "flexibilidad"),
    "Autonomy": (
        "autonomie", "autonome", "autonomous", "work independently", "independently",
        "selbststandig", "selbstandig", "selbststandigkeit", "eigenstandig", "autonomia",
        "autonomo", "autonoma",
    ),
    "Creativity": ("creative", "creativite", "creatif", "creative thinking", "kreativitat",
                   "kreativ", "creatividad", "creativo", "creativa"),
    "Curiosity": ("curious", "curieux", "curieuse", "curiosite", "neugier", "neugierig",
                  "curiosidad"),
    "Attention to detail": ("detail-oriented", "detail oriented", "sens du detail",
                            "souci du detail", "liebe zum detail", "atencion al detalle"),
    "Rigor": ("rigour", "rigueur", "rigoureux", "rigoureuse", "sorgfalt", "sorgfaltig",
              "gewissenhaft", "rigurosidad", "riguroso", "rigurosa"),
    "Organisation skills": (
        "organizational skills", "organisational skills", "sens de l'organisation",
        "organisationstalent", "organisationsfahigkeit", "capacidad de organizacion",
        "well organized", "well organised", "capacites d'organisation",
    ),
    "Time management": ("gestion du temps", "zeitmanagement", "gestion del tiempo"),
    "Prioritization": ("prioritisation", "priorisation", "sens des priorites",
                       "priorisierung", "priorizacion"),
    "Multitasking": ("multi-tasking", "multitache", "multitarea"),
    "Stress management": (
        "resistance au stress", "gestion du stress", "belastbarkeit", "belastbar",
        "stressresistent", "tolerancia a la presion", "trabajo bajo presion",
        "work under pressure", "working under pressure",
    ),
    "Negotiation": ("negotiating", "negotiation skills", "negociation", "verhandlungsgeschick",
                    "negociacion"),
    "Persuasion": ("persuasive", "force de persuasion", "uberzeugungskraft",
                   "capacidad de persuasion"),
    "Presentation skills": ("presenting", "prasentationsfahigkeit", "presentation orale"),
    "Public speaking": ("prise de parole en public", "aisance orale", "hablar en publico"),
    "Active listening": ("ecoute active", "sens de l'ecoute", "aktives zuhoren",
                         "escucha activa"),
    "Interpersonal skills": (
        "people skills", "sens relationnel", "qualites relationnelles", "aisance relationnelle",
        "soziale kompetenz", "sozialkompetenz", "habilidades interpersonales", "don de gentes",
    ),
    "Collaboration": ("collaborative", "collaboratif", "zusammenarbeit", "colaboracion",
                      "colaborativo", "cross-functional collaboration"),
    "Conflict resolution": ("gestion des conflits", "konfliktfahigkeit", "konfliktlosung",
                            "resolucion de conflictos"),
    "Decision making": ("decision-making", "prise de decision", "entscheidungsfahigkeit",
                        "entscheidungsstarke", "toma de decisiones"),
    "Emotional intelligence": ("intelligence emotionnelle", "emotionale intelligenz",
                               "inteligencia emocional"),
    "Empathy": ("empathie", "empathique", "empathisch", "empatia", "empathetic", "empathic"),
    "Resilience": ("resilience", "resilienz", "resiliencia", "resilient"),
    "Mentoring": ("mentor", "mentorship", "mentorat", "tutorat", "mentoria"),
    "Coaching": (),
    "Team management": (
        "management d'equipe", "gestion d'equipe", "people management", "team leadership",
        "encadrement", "mitarbeiterfuhrung", "personalfuhrung", "teamfuhrung",
        "gestion de equipos",
    ),
    "Stakeholder management": (
        "gestion des parties prenantes", "stakeholder-management", "gestion de stakeholders",
        "gestion de partes interesadas", "align stakeholders", "stakeholder alignment",
    ),
    "Customer orientation": (
        "customer-oriented", "customer focus", "customer-centric", "sens du client",
        "orientation client", "kundenorientierung", "kundenorientiert",
        "orientacion al cliente",
    ),
    "Ownership": ("take ownership", "sense of ownership", "eigenverantwortung",
                  "eigenverantwortlich"),
    "Initiative": ("sens de l'initiative", "esprit d'initiative", "eigeninitiative",
                   "take initiative", "taking initiative", "capacidad de iniciativa"),
    "Proactivity": ("proactive", "proactif", "proactive", "proaktiv", "proactivo",
                    "proactividad", "force de proposition"),
    "Self-motivation": ("self-motivated", "self-starter", "motive", "motivee", "motiviert",
                        "motivado", "motivada"),
    "Strategic thinking": ("vision strategique", "strategisches denken",
                           "pensamiento estrategico", "strategic mindset"),
    "Entrepreneurial spirit": ("esprit entrepreneurial", "unternehmerisches denken",
                               "espiritu emprendedor", "entrepreneurial mindset"),
    "Learning agility": ("eager to learn", "willingness to learn", "quick learner",
                         "envie d'apprendre", "lernbereitschaft", "ganas de aprender"),
    "Open-mindedness": ("open-minded", "ouverture d'esprit", "aufgeschlossenheit",
                        "mente abierta"),
    "Pedagogy": ("pedagogie", "pedagogue", "didaktik", "pedagogia"),
    "Diplomacy": ("diplomatie", "diplomatic", "diplomatisch", "diplomacia"),
    "Workshop facilitation": ("facilitation", "animation d'ateliers", "workshop-moderation"),
    "Discretion": ("discretion", "discret", "discrete", "diskretion", "confidentiality",
                   "confidentialite", "confidencialidad"),
}  # fmt: skip

# Competencies that most occupations ask for (serving customers, training staff, running a
# programme, hiring): naming one shows no occupation, so they are no evidence of technical fit.
TRANSFERABLE_SKILLS = frozenset(
    {
        "Customer service", "Training and development", "Project management",
        "Program management", "Compliance", "Reporting", "Recruitment", "Onboarding",
        "Process improvement", "Continuous improvement", "Change management",
    }
)  # fmt: skip

VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "hard_skills": HARD_SKILLS,
    "tools": TOOLS,
    "methodologies": METHODOLOGIES,
    "soft_skills": SOFT_SKILLS,
}

# Naming a specific tool shows the broader skill too: a CV listing Docker has done
# containerization. Only direct, safe implications; never the reverse.
IMPLIED_SKILLS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("Docker", "Kubernetes", "OpenShift", "Amazon EKS"), ("Containerization",)),
    "Amazon ECS": ("AWS", "Containerization"),
    "Amazon ElastiCache": ("AWS", "Caching"),
    "Memcached": ("Caching",),
    **dict.fromkeys(
        ("AWS Lambda", "Amazon S3", "Amazon EC2", "Amazon RDS", "Amazon DynamoDB", "Amazon SQS",
         "AWS CloudFormation"), ("AWS",)),
    "Amazon Redshift": ("AWS", "Data warehousing", "SQL"),
    **dict.fromkeys(
        ("Django", "Flask", "FastAPI", "asyncio", "Celery", "SQLAlchemy", "Pandas", "NumPy",
         "SciPy", "pytest"), ("Python",)),
    "Django REST Framework": ("Django", "Python", "REST APIs"),
    **dict.fromkeys(("scikit-learn", "PyTorch", "TensorFlow", "Keras"), ("Machine Learning",)),
    **dict.fromkeys(
        ("React", "Vue.js", "Angular", "Svelte", "jQuery", "Node.js", "Express.js", "NestJS",
         "TypeScript", "Redux"), ("JavaScript",)),
    "Next.js": ("React", "JavaScript"),
    "Nuxt.js": ("Vue.js", "JavaScript"),
    "React Native": ("React", "JavaScript", "Mobile development"),
    **dict.fromkeys(("Spring Boot", "Hibernate", "JUnit"), ("Java",)),
    "Ruby on Rails": ("Ruby",),
    **dict.fromkeys(("Laravel", "Symfony"), ("PHP",)),
    **dict.fromkeys(("ASP.NET", "Entity Framework"), (".NET",)),
    **dict.fromkeys(
        ("PostgreSQL", "MySQL", "MariaDB", "SQLite", "Oracle Database", "Microsoft SQL Server"),
        ("SQL",)),
    **dict.fromkeys(("Snowflake", "BigQuery", "Databricks"), ("Data warehousing", "SQL")),
    **dict.fromkeys(("Scrum", "Kanban", "SAFe"), ("Agile",)),
    **dict.fromkeys(("GitHub Actions", "GitLab CI", "CircleCI", "Jenkins", "Travis CI",
                     "Argo CD"), ("CI/CD",)),
    **dict.fromkeys(("Prometheus", "Grafana", "Datadog", "New Relic", "OpenTelemetry",
                     "Sentry", "ELK Stack", "Splunk"), ("Monitoring", "Observability")),
    **dict.fromkeys(("GitHub", "GitLab", "Bitbucket"), ("Git",)),
    **dict.fromkeys(("Terraform", "AWS CloudFormation", "Ansible"), ("Infrastructure as Code",)),
    **dict.fromkeys(("Apache Airflow", "dbt"), ("Data pipelines",)),
    **dict.fromkeys(("Tableau", "Power BI", "Looker", "Metabase", "Qlik"),
                    ("Data visualization", "Business intelligence")),
    **dict.fromkeys(("Mixpanel", "Amplitude"), ("Product analytics",)),
    "Google Analytics": ("Web analytics",),
    "Google Ads": ("SEA",),
    **dict.fromkeys(("Sage", "Cegid", "QuickBooks", "Xero", "DATEV", "Pennylane"),
                    ("Accounting",)),
    **dict.fromkeys(("Salesforce", "HubSpot", "Pipedrive", "Zoho CRM"),
                    ("Customer relationship management",)),
    **dict.fromkeys(("Test-driven development", "Jest"), ("Unit testing",)),
    **dict.fromkeys(("Selenium", "Cypress", "Playwright"), ("Test automation",)),
    "Teamwork": ("Collaboration",),
    "Team management": ("Leadership",),
}  # fmt: skip

# Fields of study that name the same discipline across languages.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "computing": ("computer science", "informatique", "informatik", "informatica",
                  "information technology", "software engineering", "genie logiciel",
                  "computer engineering", "ingenieria informatica", "wirtschaftsinformatik",
                  "sistemas de informacion", "systemes d'information"),
    "business": ("business administration", "business", "management", "gestion",
                 "betriebswirtschaft", "bwl", "ade", "administracion de empresas", "commerce",
                 "ecole de commerce", "economics", "economie", "wirtschaft", "economia"),
    "finance": ("finance", "accounting", "comptabilite", "rechnungswesen", "contabilidad",
                "finanzas", "audit", "controle de gestion"),
    "marketing": ("marketing", "communication", "kommunikation", "comunicacion"),
    "engineering": ("engineering", "ingenierie", "ingenieurwesen", "ingenieria",
                    "mechanical", "mecanique", "maschinenbau", "electrical", "electronique"),
    "mathematics": ("mathematics", "maths", "mathematiques", "mathematik", "matematicas",
                    "statistics", "statistiques", "statistik", "estadistica", "data science"),
    "design": ("design", "graphic design", "arts appliques", "diseno", "gestaltung"),
    "human resources": ("human resources", "ressources humaines", "personalwesen",
                        "recursos humanos", "psychology", "psychologie", "psicologia"),
    "law": ("law", "droit", "rechtswissenschaft", "jura", "derecho"),
}  # fmt: skip

# Language names in en/fr/de/es, folded; the key is the English name used in offers and scores.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "English": ("english", "anglais", "englisch", "ingles"),
    "French": ("french", "francais", "franzosisch", "frances"),
    "German": ("german", "allemand", "deutsch", "aleman"),
    "Spanish": ("spanish", "espagnol", "spanisch", "espanol", "castellano"),
    "Italian": ("italian", "italien", "italienisch", "italiano"),
    "Portuguese": ("portuguese", "portugais", "portugiesisch", "portugues"),
    "Dutch": ("dutch", "neerlandais", "niederlandisch", "neerlandes", "holandes", "nederlands"),
    "Chinese": ("chinese", "mandarin", "chinois", "chinesisch", "chino"),
    "Japanese": ("japanese", "japonais", "japanisch", "japones"),
    "Arabic": ("arabic", "arabe", "arabisch"),
    "Russian": ("russian", "russe", "russisch", "ruso"),
    "Polish": ("polish", "polonais", "polnisch", "polaco"),
    "Turkish": ("turkish", "turc", "turkisch", "turco"),
    "Korean": ("korean", "coreen", "koreanisch", "coreano"),
    "Swedish": ("swedish", "suedois", "schwedisch", "sueco"),
    "Greek": ("greek", "grec", "griechisch", "griego"),
    "Romanian": ("romanian", "roumain", "rumanisch", "rumano"),
    "Catalan": ("catalan", "katalanisch", "catala"),
    "Hindi": ("hindi",),
}

CEFR_RANKS = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6}
NATIVE_RANK = 7
# (folded pattern, label, rank): the label is what offers show, the rank is the CEFR scale
# with 7 for native or bilingual speakers.
LANGUAGE_LEVELS: tuple[tuple[str, str, int], ...] = (
    (r"native|mother tongue|first language|langue maternelle|maternelle|muttersprach\w*|"
     r"nativ[oa]|lengua materna|idioma materno", "Native", NATIVE_RANK),
    (r"bilingu\w*|zweisprachig", "Bilingual", NATIVE_RANK),
    (r"fluent\w*|fluency|courant|couramment|fliess?end\w*|fluid[oa]|fluidez", "Fluent", 5),
    (r"professional working|full professional|business|professionn?el\w*|profesional|"
     r"verhandlungssicher\w*|maitrise", "Professional", 5),
    (r"advanced|avancee?|sehr gute?\w*|excellent\w*|excelente|tres bon\w*|avanzad[oa]|"
     r"nivel alto|hervorragend\w*", "Advanced", 5),
    (r"good|bon(?:ne)?|gute?[nrsm]?|buen[oa]?|solides?|solid\w*", "Good", 4),
    (r"intermediate|intermediaire|intermedio|conversational|mittel\w*|operationnel\w*",
     "Intermediate", 3),
    (r"basic|notions?|elementary|beginner|debutant\w*|grundkenntnisse|grundlegend\w*|"
     r"basic[oa]|scolaire|schulkenntnisse|nociones", "Basic", 2),
)  # fmt: skip

EDUCATION_RANKS = {"High school": 1, "Associate": 2, "Bachelor": 3, "Master": 4, "PhD": 5}
# Folded patterns, highest level first; "master" excludes the Scrum Master role.
DEGREE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("PhD", r"\bph\.?\s?d\b|\bdoctora\w*|\bdoctoral\b|\bdoktor\w*|\bpromoviert\w*"),
    ("Master", r"(?<!scrum )\bmaster(?:'s|s)?\b|\bm\.?sc\b|\bmba\b|\bm\.?eng\b|\bmastere\b|"
               r"\bbac\s*\+\s*5\b|diplome d'ingenieur|ecole d'ingenieurs?|grande ecole|"
               r"ecole de commerce|\bdiplom(?:-?ingenieur)?\b|\bdipl\.-ing\b|\bmagister\b|"
               r"\bmaestria\b"),
    ("Bachelor", r"\bbachelor(?:'s|s)?\b|\bb\.?sc\b|\bb\.?eng\b|(?<!driving )\blicence\b|"
                 r"\bbac\s*\+\s*[34]\b|\blicenciatura\b|\bgrado\b|\bundergraduate\b|"
                 r"hochschulabschluss|hochschulstudium|\bstudium\w*|university degree|"
                 r"\bdegree\b|diplome universitaire|titulo universitario|"
                 r"titulacion universitaria"),
    ("Associate", r"\bbac\s*\+\s*2\b|\bbts\b|\bdut\b|associate degree|\bhnd\b|"
                  r"\bausbildung\b|berufsausbildung|tecnico superior|ciclo formativo|"
                  r"formacion profesional"),
    ("High school", r"baccalaureat|\bbac\b(?!\s*\+)|high school|\babitur\b|bachillerato|"
                    r"a-levels?|fachabitur|\bmatura\b|secondary school"),
)  # fmt: skip

# Frequent short words of each language, to tell the language of a text.
LANGUAGE_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "the", "and", "to", "of", "you", "we", "with", "for", "our", "is", "are", "will", "your",
        "an", "on", "be", "this", "that", "or", "who", "as", "at", "have", "from"
    }),
    "fr": frozenset({
        "le", "les", "des", "et", "vous", "nous", "une", "pour", "avec", "du", "dans", "sur",
        "au", "est", "votre", "notre", "vos", "nos", "qui", "etre", "aux", "ou", "sont"
    }),
    "de": frozenset({
        "der", "die", "das", "und", "sie", "wir", "mit", "fur", "ein", "eine", "zu", "von", "den",
        "dem", "im", "ist", "du", "dein", "deine", "ihre", "unser", "unsere", "auf", "bei",
        "oder", "nicht", "wird"
    }),
    "es": frozenset({
        "el", "los", "las", "y", "una", "para", "con", "del", "por", "tu", "nuestro", "nuestra",
        "es", "al", "como", "o", "tus", "sus", "muy"
    }),
}  # fmt: skip

# Job offer section headings, folded, by the kind of section they open.
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "responsibilities": (
        "responsibilities", "your responsibilities", "key responsibilities", "what you'll do",
        "what you will do", "what you will be doing", "the role", "your role", "role",
        "your mission", "the job", "job description", "missions", "mission", "vos missions",
        "votre mission", "vos responsabilites", "le poste", "descriptif du poste",
        "description du poste", "ce que vous ferez", "vos taches", "aufgaben",
        "deine aufgaben", "ihre aufgaben", "dein job", "was dich erwartet", "was sie erwartet",
        "deine rolle", "funciones", "tus funciones", "responsabilidades", "main duties",
        "duties", "key duties", "your duties", "about the role", "the position", "tasks",
        "your tasks", "vos activites", "activites principales", "ihre aufgaben bei uns",
        "tatigkeiten", "aufgabengebiet", "tareas", "tus tareas", "principales funciones",
        "tus responsabilidades", "que haras", "tu mision", "descripcion del puesto",
    ),
    "requirements": (
        "requirements", "qualifications", "required qualifications", "minimum qualifications",
        "what we're looking for", "what we are looking for", "who you are", "about you",
        "your profile", "profile", "must have", "must-have", "must haves", "skills",
        "required skills", "what you bring", "what you'll bring", "profil recherche",
        "votre profil", "profil", "competences", "competences requises", "prerequis",
        "ce que nous recherchons", "dein profil", "ihr profil", "anforderungen",
        "was du mitbringst", "was sie mitbringen", "qualifikationen", "requisitos",
        "requisitos minimos", "perfil", "tu perfil", "perfil buscado", "lo que buscamos",
        "person specification", "essential criteria", "essential skills", "requirements and skills",
        "votre profil et vos competences", "profil souhaite", "ihre qualifikationen",
        "das bringst du mit", "das bringen sie mit", "que buscamos", "que pedimos",
    ),
    "nice": (
        "nice to have", "nice-to-have", "bonus", "bonus points", "pluses",
        "preferred qualifications", "a plus", "un plus", "les plus", "atouts",
        "serait un plus", "idealement", "wunschenswert", "von vorteil", "pluspunkte",
        "se valorara", "valorable", "deseable", "requisitos deseables", "sera un plus", "plus",
    ),
    "benefits": (
        "benefits", "perks", "what we offer", "we offer", "why join us", "why us",
        "perks and benefits", "avantages", "nous offrons", "nous proposons",
        "ce que nous offrons", "ce que nous proposons", "pourquoi nous rejoindre",
        "wir bieten", "was wir bieten", "unser angebot", "deine benefits", "ihre vorteile",
        "ofrecemos", "beneficios", "que ofrecemos", "lo que ofrecemos", "what we offer you",
        "our benefits", "the package", "vos avantages", "das bieten wir", "wir bieten dir",
        "wir bieten ihnen", "te ofrecemos",
    ),
    "about": (
        "about us", "about the company", "who we are", "our company", "qui sommes-nous",
        "qui sommes nous", "l'entreprise", "a propos", "a propos de nous", "uber uns",
        "wer wir sind", "das unternehmen", "sobre nosotros", "quienes somos", "la empresa",
    ),
    "process": (
        "hiring process", "recruitment process", "interview process", "how to apply",
        "processus de recrutement", "deroulement du recrutement", "bewerbungsprozess",
        "proceso de seleccion",
    ),
    "salary": ("salary", "compensation", "remuneration", "salaire", "gehalt", "vergutung",
               "salario", "sueldo", "retribucion"),
    "location": ("location", "lieu", "localisation", "lieu de travail", "standort",
                 "arbeitsort", "ubicacion", "lugar de trabajo"),
    "contract": ("contract", "contract type", "employment type", "type de contrat", "contrat",
                 "vertragsart", "anstellungsart", "tipo de contrato", "contrato"),
    "company": ("company", "entreprise", "societe", "unternehmen", "firma", "empresa",
                "employer", "employeur", "arbeitgeber", "compania", "empleador", "organisme",
                "organisation", "organization", "hiring organisation", "hiring organization",
                "recruiter", "recruteur"),
    "title": ("job title", "position", "poste", "intitule du poste", "titre du poste",
              "stellenbezeichnung", "puesto"),
}  # fmt: skip

# (folded pattern, contract, offer languages it applies to): "stage" is an internship in
# French but a phase in English ("early-stage"), and "permanent" is also a French adjective.
CONTRACT_PATTERNS: tuple[tuple[str, str, frozenset[str]], ...] = (
    (r"\balternance\b|\bapprentissage\b|\bcontrat pro\w*", "Alternance", frozenset({"fr"})),
    (r"\bstage\b|\bstagiaire\b", "Stage", frozenset({"fr"})),
    (r"\binternship\b|\bintern\b|\bpraktikum\b|\bpracticas\b|\bbecari[oa]\b", "Internship",
     frozenset({"en", "de", "es"})),
    (r"\bcdi\b", "CDI", frozenset({"fr", "en", "de", "es"})),
    (r"\bcdd\b", "CDD", frozenset({"fr", "en", "de", "es"})),
    (r"\bfreelance\b|\bfree-lance\b|\bportage salarial\b|\ben independant\b|"
     r"\bfreiberuflich\w*|\bcomo autonomo\b|\bcontractor\b", "Freelance",
     frozenset({"fr", "en", "de", "es"})),
    (r"\bpermanent (?:position|role|contract|job)\b|\bunbefristet\w*|\bfestanstellung\b|"
     r"\bindefinido\b", "Permanent", frozenset({"en", "de", "es"})),
    (r"\bfixed[\s-]term\b|\btemporary (?:position|role|contract)\b|\bbefristet\w*|"
     r"\bcontrato temporal\b|\bduracion determinada\b", "Fixed-term",
     frozenset({"en", "de", "es"})),
)  # fmt: skip

# Major cities as written in offers, with their country.
CITIES: dict[str, str] = {
    **dict.fromkeys(("Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille", "Nantes",
                     "Nice", "Strasbourg", "Montpellier", "Rennes", "Grenoble", "Sophia Antipolis",
                     "La Défense", "Aix-en-Provence", "Rouen", "Tours", "Dijon", "Reims",
                     "Le Havre", "Angers", "Brest", "Clermont-Ferrand", "Metz", "Nancy",
                     "Orléans", "Caen", "Limoges", "Toulon", "Annecy"), "France"),
    **dict.fromkeys(("Berlin", "München", "Munich", "Hamburg", "Köln", "Cologne", "Frankfurt",
                     "Stuttgart", "Düsseldorf", "Leipzig", "Dresden", "Hannover", "Nürnberg",
                     "Bremen", "Dortmund", "Essen", "Bonn", "Mannheim", "Karlsruhe", "Augsburg",
                     "Münster", "Freiburg", "Heidelberg", "Wiesbaden", "Mainz", "Duisburg"),
                    "Germany"),
    **dict.fromkeys(("Madrid", "Barcelona", "Valencia", "Sevilla", "Seville", "Bilbao",
                     "Málaga", "Zaragoza", "Alicante", "Murcia", "Palma", "Valladolid",
                     "Vigo", "Granada", "San Sebastián", "Santander", "Córdoba",
                     "A Coruña", "Las Palmas", "Pamplona"), "Spain"),
    **dict.fromkeys(("London", "Manchester", "Edinburgh", "Bristol", "Cambridge", "Oxford",
                     "Leeds", "Birmingham", "Liverpool", "Glasgow", "Sheffield", "Newcastle",
                     "Nottingham", "Leicester", "Cardiff", "Belfast", "Brighton",
                     "Southampton", "York", "Aberdeen", "Coventry"), "United Kingdom"),
    **dict.fromkeys(("Brussels", "Bruxelles", "Brüssel", "Bruselas", "Antwerp", "Gent"),
                    "Belgium"),
    **dict.fromkeys(("Geneva", "Genève", "Genf", "Zurich", "Zürich", "Lausanne", "Basel"),
                    "Switzerland"),
    **dict.fromkeys(("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"), "Netherlands"),
    **dict.fromkeys(("New York", "San Francisco", "Los Angeles", "Seattle", "Austin", "Boston",
                     "Chicago", "Palo Alto"), "United States"),
    **dict.fromkeys(("Montréal", "Montreal", "Toronto", "Vancouver"), "Canada"),
    "Dublin": "Ireland", "Luxembourg": "Luxembourg", "Lisbon": "Portugal", "Lisboa": "Portugal",
    "Vienna": "Austria", "Wien": "Austria", "Milan": "Italy", "Milano": "Italy",
}  # fmt: skip

COUNTRIES: dict[str, str] = {
    **dict.fromkeys(("france",), "France"),
    **dict.fromkeys(("germany", "allemagne", "deutschland", "alemania"), "Germany"),
    **dict.fromkeys(("spain", "espagne", "espana", "spanien"), "Spain"),
    **dict.fromkeys(("united kingdom", "royaume-uni", "reino unido"), "United Kingdom"),
    **dict.fromkeys(("belgium", "belgique", "belgien", "belgica"), "Belgium"),
    **dict.fromkeys(("switzerland", "suisse", "schweiz", "suiza"), "Switzerland"),
    **dict.fromkeys(("netherlands", "pays-bas", "niederlande", "paises bajos"), "Netherlands"),
    **dict.fromkeys(("united states", "etats-unis", "estados unidos"), "United States"),
    **dict.fromkeys(("canada",), "Canada"),
    **dict.fromkeys(("austria", "autriche", "osterreich"), "Austria"),
}  # fmt: skip

# Small numbers written as words ("three years", "trois ans", "drei Jahre").
NUMBER_WORDS: dict[str, int] = {
    **dict.fromkeys(("one", "un", "une", "uno", "una", "ein", "eine", "einem", "einen"), 1),
    **dict.fromkeys(("two", "deux", "zwei", "dos"), 2),
    **dict.fromkeys(("three", "trois", "drei", "tres"), 3),
    **dict.fromkeys(("four", "quatre", "vier", "cuatro"), 4),
    **dict.fromkeys(("five", "cinq", "funf", "cinco"), 5),
    **dict.fromkeys(("six", "sechs", "seis"), 6),
    **dict.fromkeys(("seven", "sept", "sieben", "siete"), 7),
    **dict.fromkeys(("eight", "huit", "acht", "ocho"), 8),
    **dict.fromkeys(("nine", "neuf", "neun", "nueve"), 9),
    **dict.fromkeys(("ten", "dix", "zehn", "diez"), 10),
}

MIN_PLURAL_KEY = 2  # "OKRs", "APIs": a plural s, but never on a single letter ("Cs")

_SEPARATORS = re.compile(r"[\s\-]+")
_SEP_ATOM = r"[\s\-]*"
_LIST_BEFORE = re.compile(
    r"(?:[,/(+&]|\b(?:and|or|et|ou|und|oder|y|o|in|with|en|con|mit|using|like|as|such as))\s*$",
    re.IGNORECASE,
)
_LIST_AFTER = re.compile(
    r"\s*(?:[,/)|]|$|\.(?!\w)|;|\s(?:and|or|et|ou|und|oder|y|o)\b)", re.IGNORECASE
)
_TECH_AFTER = re.compile(
    r"\s*(?:developers?|engineers?|programming|programmers?|language|lang|dev|code|"
    r"services?|microservices?|backend|modules?|routines|studio|shiny|packages?|scripts?)\b",
    re.IGNORECASE,
)
_GO_NOT_LANGUAGE = re.compile(
    r"\s+(?:to|ahead|live|back|beyond|further|through|out|over|for|get|and see|the extra)\b"
    r"|\s*!",
    re.IGNORECASE,
)
_SENTENCE_END = ".!?:;\n•*-–—"


@dataclass(frozen=True, slots=True)
class SkillMatch:
    name: str
    category: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    category: str
    exact: frozenset[str]  # empty: any case matches


class _FoldTable(dict[int, str]):
    """str.translate table mapping each character to one lower-case unaccented character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        lower = base.lower()
        folded = lower if len(lower) == 1 else base
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case `text` and strip accents, keeping its length so offsets stay valid."""
    if text.isascii():
        return text.lower()
    return text.replace("’", "'").translate(_FOLD)


def _squash(folded: str) -> str:
    return _SEPARATORS.sub("", folded)


def _atoms(key: str) -> list[str]:
    atoms: list[str] = []
    for char in key:
        if char in " -":
            if atoms and atoms[-1] == _SEP_ATOM:
                continue
            atoms.append(_SEP_ATOM)
        elif char == "'":
            atoms.append("['’]")
        elif char == "/":
            atoms.append(r"\s?/\s?")
        else:
            atoms.append(re.escape(char))
    return atoms


# A node of the trie: each atom leads to the next node; the "" key marks the end of a term.
_Trie: TypeAlias = dict[str, "_Trie"]


def _trie_pattern(keys: list[str]) -> str:
    # A trie-shaped regex shares prefixes, so one search over the text stays fast with
    # thousands of terms, and greedy optional tails make the longest term win.
    trie: _Trie = {}
    for key in keys:
        node = trie
        for atom in _atoms(key):
            node = node.setdefault(atom, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: _Trie) -> str:
    branches = [atom + _node_pattern(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    if "" in node:
        return "(?:" + "|".join(branches) + ")?"
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _is_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(" \t(\"'«“")
    return not before or before[-1] in _SENTENCE_END


def _go_is_language(text: str, start: int, end: int, lenient: bool) -> bool:
    after = text[end : end + 24]
    if after[:1] in ("-", "'", "’"):
        return False
    if lenient or _TECH_AFTER.match(after):
        return True
    if _GO_NOT_LANGUAGE.match(after):
        return False
    if _is_sentence_start(text, start):
        return bool(_LIST_AFTER.match(after)) and not after.strip().startswith(".")
    # Mid-sentence "Go Sooners" reads as a name; a list or sentence end reads as the language.
    return not re.match(r"\s+[A-Z]", after) or bool(
        _LIST_BEFORE.search(text[max(0, start - 20) : start])
    )


def _letter_is_language(text: str, start: int, end: int, lenient: bool) -> bool:
    """ "R" and "C" only count in a list of skills ("Python, R and SQL") or before "programming"."""
    after = text[end : end + 24]
    if re.match(r"[&'’+#\-]|\.\w", after):
        return False
    if lenient or _TECH_AFTER.match(after):
        return True
    before_ok = _is_sentence_start(text, start) or bool(
        _LIST_BEFORE.search(text[max(0, start - 20) : start])
    )
    return before_ok and bool(_LIST_AFTER.match(after))


_CONTEXT_RULES: dict[str, Callable[[str, int, int, bool], bool]] = {
    "go": _go_is_language,
    "r": _letter_is_language,
    "c": _letter_is_language,
}


def _add_entry(index: dict[str, _Entry], key: str, entry: _Entry) -> None:
    known = index.get(key)
    if known is not None and known.name != entry.name:
        raise ValueError(f"vocabulary term {key!r} names both {known.name!r} and {entry.name!r}")
    if known is None or (known.exact and not entry.exact):
        index[key] = entry


@functools.cache
def _matcher() -> tuple[re.Pattern[str], dict[str, _Entry], dict[str, str]]:
    index: dict[str, _Entry] = {}
    keys: set[str] = set()
    for category, skills in VOCABULARY.items():
        for name, synonyms in skills.items():
            exact: dict[str, set[str]] = {}
            loose: set[str] = set()
            for synonym in synonyms:
                if synonym.startswith("="):
                    exact.setdefault(fold(synonym[1:]), set()).add(synonym[1:])
                else:
                    loose.add(fold(synonym))
            if fold(name) not in exact:
                loose.add(fold(name))
            for term in loose:
                keys.add(term)
                _add_entry(index, _squash(term), _Entry(name, category, frozenset()))
            for term, forms in exact.items():
                keys.add(term)
                if term not in loose:
                    _add_entry(index, _squash(term), _Entry(name, category, frozenset(forms)))
    pattern = re.compile(
        r"(?<![\w@#+])(?<!\w\.)(?P<t>"
        + _trie_pattern(sorted(keys))
        + r")(?P<p>e?s)?(?![\w+#]|\.\w)"
    )
    categories = {entry.name: entry.category for entry in index.values()}
    return pattern, index, categories


def find_skills(text: str, *, lenient: bool = False) -> list[SkillMatch]:
    """Every vocabulary skill named in `text`, in order. `lenient` is for short skill-list
    items ("go", "react") where case and context rules would reject a real skill."""
    pattern, index, _ = _matcher()
    folded = fold(text)
    matches: list[SkillMatch] = []
    pos = 0
    while (m := pattern.search(folded, pos)) is not None:
        start, end = m.start("t"), m.end("t")
        key = _squash(m.group("t"))
        entry = index.get(key)
        if entry is not None and _accepts(entry, key, text, start, end, m.group("p"), lenient):
            matches.append(
                SkillMatch(entry.name, entry.category, start, m.end(), text[start : m.end()])
            )
            pos = m.end()
        else:
            pos = start + 1
    return matches


# Joins texts searched in one pass; "|" stops multi-word terms and reads as a list boundary.
_JOINER = "\n|\n"


def find_skills_in(texts: Sequence[str], *, lenient: bool = False) -> list[list[SkillMatch]]:
    """find_skills for many short texts at once (one regex pass), spans relative to each."""
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text) + len(_JOINER)
    found: list[list[SkillMatch]] = [[] for _ in texts]
    for match in find_skills(_JOINER.join(texts), lenient=lenient):
        i = bisect.bisect_right(starts, match.start) - 1
        base = starts[i]
        if match.end <= base + len(texts[i]):
            found[i].append(
                SkillMatch(
                    match.name, match.category, match.start - base, match.end - base, match.text
                )
            )
    return found


def _accepts(
    entry: _Entry, key: str, text: str, start: int, end: int, plural: str | None, lenient: bool
) -> bool:
    if plural and (entry.exact or len(key) < MIN_PLURAL_KEY):
        return False
    if entry.exact and not lenient:
        written = _squash(text[start:end])
        # All-caps headings ("EXCEL, REACT") keep longer names; "GO" or "R" stay ambiguous.
        if written not in entry.exact and not (
            len(written) >= 4
            and written.isupper()
            and any(f.upper() == written for f in entry.exact)
        ):
            return False
    rule = _CONTEXT_RULES.get(key)
    return rule is None or rule(text, start, end, lenient)


def skill_names(text: str, *, lenient: bool = False) -> list[str]:
    """The distinct canonical skills named in `text`, in order of first mention."""
    return list(dict.fromkeys(match.name for match in find_skills(text, lenient=lenient)))


def canonical_skill(name: str) -> str | None:
    """The canonical name for a skill as written in a CV or offer list ("k8s" -> "Kubernetes")."""
    _, index, categories = _matcher()
    cleaned = name.strip()
    if not cleaned:
        return None
    if cleaned in categories:
        return cleaned
    entry = index.get(_squash(fold(cleaned)))
    if entry is not None:
        return entry.name
    matches = find_skills(cleaned, lenient=True)
    if not matches or len({match.name for match in matches}) != 1:
        return None
    residue = cleaned
    for match in reversed(matches):
        residue = residue[: match.start] + residue[match.end :]
    # "Python 3.12" or "Kubernetes (k8s)" name one skill; "Python for finance" does not.
    return matches[0].name if not re.search(r"[^\W\d_]", residue) else None


def is_generic_skill(name: str) -> bool:
    """Whether a skill shows no occupation: a soft skill, or a competency most trades ask for
    ("Customer service", "Training and development")."""
    canonical = canonical_skill(name)
    if canonical is None:
        return False
    return canonical in TRANSFERABLE_SKILLS or skill_category(canonical) == "soft_skills"


def skill_category(name: str) -> str | None:
    canonical = canonical_skill(name)
    return None if canonical is None else _matcher()[2][canonical]


@functools.cache
def _language_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {alias: language for language, aliases in LANGUAGE_NAMES.items() for alias in aliases}
    alternatives = "|".join(sorted(names, key=len, reverse=True))
    # German compounds ("Englischkenntnisse", "Deutsch- und ...") name the language too.
    pattern = re.compile(rf"(?<![\w])({alternatives})(?:kenntnisse|-(?=\s))?(?![\w])(?!\s+tech\b)")
    return pattern, names


def find_languages(text: str) -> list[tuple[str, int, int]]:
    """(English language name, start, end) for each language named in `text`."""
    pattern, names = _language_pattern()
    return [(names[m.group(1)], m.start(), m.end()) for m in pattern.finditer(fold(text))]


def canonical_language(name: str) -> str | None:
    found = find_languages(name)
    return found[0][0] if found else None


_LEVEL_RE = re.compile(
    r"\b(?:(?P<cefr>[abc][12])(?![\w+])|"
    + "|".join(f"(?P<l{i}>{pattern})" for i, (pattern, _, _) in enumerate(LANGUAGE_LEVELS))
    + r")\b"
)


def find_language_levels(text: str) -> list[tuple[str, int, int, int]]:
    """(label, rank, start, end) for each language level named in `text`."""
    found: list[tuple[str, int, int, int]] = []
    for m in _LEVEL_RE.finditer(fold(text)):
        if m.group("cefr"):
            code = m.group("cefr").upper()
            found.append((code, CEFR_RANKS[code], m.start(), m.end()))
            continue
        for i, (_, label, rank) in enumerate(LANGUAGE_LEVELS):
            if m.group(f"l{i}"):
                found.append((label, rank, m.start(), m.end()))
                break
    return found


def language_level(text: str) -> tuple[str, int] | None:
    """The first language level in `text` as (label, rank): "Courant" -> ("Fluent", 5)."""
    found = find_language_levels(text)
    return (found[0][0], found[0][1]) if found else None


_DEGREE_RES = tuple((level, re.compile(pattern)) for level, pattern in DEGREE_PATTERNS)


def degree_level(text: str) -> str | None:
    """The highest degree level named in `text` ("Bac+5 en informatique" -> "Master")."""
    folded = fold(text)
    for level, regex in _DEGREE_RES:
        if regex.search(folded):
            return level
    return None


def education_rank(level: str | None) -> int | None:
    if not level:
        return None
    if level in EDUCATION_RANKS:
        return EDUCATION_RANKS[level]
    found = degree_level(level)
    return None if found is None else EDUCATION_RANKS[found]


def implied_skills(name: str) -> tuple[str, ...]:
    """Broader skills shown by naming `name` ("Docker" -> "Containerization")."""
    return IMPLIED_SKILLS.get(name, ())


@functools.cache
def _field_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (group, re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b"))
        for group, names in FIELD_GROUPS.items()
    )


def field_groups(text: str) -> frozenset[str]:
    """Disciplines named in a field of study ("Informatik" -> {"computing"})."""
    folded = fold(text)
    return frozenset(group for group, pattern in _field_patterns() if pattern.search(folded))


# Occupations and the words their job titles use in English, French, German and Spanish, so that
# "Maschinenbauingenieur" and "Mechanical Design Engineer" are seen as one job. Each term is
# folded text matched at a word start: "*" at its end allows any ending ("infirmi*" for
# infirmier/infirmière), "*" at its start allows it inside a German compound ("*fahrer").
OCCUPATION_TITLES: dict[str, tuple[str, ...]] = {
    "nurse": (
        "nurse", "nurses", "nursing", "infirmi*", "ide", "*pflegefach*", "*krankenpfleg*",
        "*pflegekraft", "altenpfleger*", "*krankenschwester", "enfermer*", "midwife",
        "sage-femme",
    ),
    "care-assistant": (
        "healthcare assistant", "care assistant", "care worker", "support worker",
        "aide-soignant*", "aide soignant*", "pflegehelfer*", "pflegeassistent*",
        "auxiliar de enfermeria", "tcae",
    ),
    "accountant": (
        "accountant*", "accounting", "accounts", "bookkeep*", "comptab*", "*buchhalt*",
        "contable*", "contabilidad", "payroll", "gestionnaire de paie", "lohnbuchhalt*",
    ),
    "finance": (
        "financial analyst", "finance analyst", "fp&a", "controller", "controleur de gestion",
        "controle de gestion", "*controlling", "controller*", "analista financier*",
        "finance manager", "directeur financier", "cfo",
    ),
    "cook": (
        "cook", "cooks", "sous chef", "sous-chef", "head chef", "chef de partie",
        "chef de cuisine", "commis de cuisine", "commis chef", "pastry chef", "cuisinier*",
        "koch", "kochin", "koche", "*koch/kochin", "jungkoch", "cocinero*", "jefe de cocina",
        "jefe de partida", "ayudante de cocina",
    ),
    "waiter": (
        "waiter*", "waitress*", "waiting staff", "serveur*", "serveuse*", "chef de rang",
        "commis de salle", "maitre d'hotel", "kellner*", "servicekraft", "camarer*",
        "bar supervisor", "bartender*", "barman", "barmaid", "barista", "mesero*",
    ),
    "receptionist": (
        "receptionist*", "receptionniste*", "front office", "front desk", "night auditor",
        "agent d'accueil", "*rezeption*", "empfangsmitarbeiter*", "recepcionista*",
    ),
    "hotel-manager": (
        "hotel manager", "hotel general manager", "directeur d'hotel", "directrice d'hotel",
        "hoteldirektor*", "director de hotel", "food & beverage manager", "f&b manager",
    ),
    "electrician": (
        "electrician*", "electricien*", "*elektriker*", "elektroniker*", "electricista*",
        "elektroinstallateur*",
    ),
    "plumber-heating": (
        "plumber*", "plombier*", "chauffagiste*", "heating engineer*", "hvac", "gas engineer*",
        "anlagenmechaniker*", "installateur*", "fontaner*", "calefaccion",
    ),
    "maintenance": (
        "maintenance technician*", "maintenance engineer*", "technicien de maintenance",
        "technicienne de maintenance", "*instandhaltung*", "tecnico de mantenimiento",
        "multi-skilled maintenance", "mechanical maintenance",
    ),
    "carpenter": (
        "carpenter*", "joiner*", "menuisier*", "charpentier*", "tischler*", "schreiner*",
        "zimmer*", "carpinter*", "ebanist*",
    ),
    "welder": ("welder*", "soudeur*", "soudeuse*", "*schweisser*", "*schweißer*", "soldador*"),
    "construction-trades": (
        "bricklayer*", "groundwork*", "macon*", "maurer*", "albanil*", "site trades",
    ),
    "mechanical-engineer": (
        "mechanical engineer*", "mechanical design engineer*", "design engineer*",
        "graduate mechanical engineer*", "ingenieur mecani*", "ingenieure mecani*",
        "ingenieur conception mecani*", "ingenieur d'etudes mecani*", "ingenieur etudes mecani*",
        "*maschinenbau*", "konstrukteur*", "entwicklungsingenieur*", "ingenier* mecanic*",
        "ingenier* de diseno mecanic*",
    ),
    "teacher": (
        "teacher*", "teacher of", "schoolteacher*", "enseignant*", "professeur*",
        "professeure*", "institut*", "*lehrer*", "*lehrkraft*", "profesor*", "maestr*",
        "docente*",
    ),
    "teaching-assistant": (
        "teaching assistant*", "classroom assistant*", "learning support assistant*", "aesh",
        "auxiliar de educacion", "schulbegleit*",
    ),
    "trainer": (
        "trainer*", "corporate trainer*", "learning & development", "learning and development",
        "formateur*", "formatrice*", "ausbilder*", "formador*", "formadora*",
    ),
    "driver": (
        "driver*", "hgv", "lgv", "chauffeur*", "conducteur*", "conductrice*", "*fahrer*",
        "conductor*", "camioner*", "repartidor*",
    ),
    "warehouse": (
        "warehouse*", "forklift*", "order picker*", "cariste*", "magasinier*",
        "preparateur de commandes", "preparatrice de commandes", "*lager*", "almacen*",
        "mozo de almacen", "carretiller*",
    ),
    "logistics-planner": (
        "logistics coordinator*", "logistics planner*", "transport planner*", "planner*",
        "dispatcher*", "disponent*", "coordinateur logistique", "coordinatrice logistique",
        "affreteur*", "exploitant transport", "freight forwarder*", "planificador*",
        "coordinador de logistica", "*spedition*",
    ),
    "sales": (
        "sales", "account executive*", "account manager*", "key account*",
        "business development*", "commercial terrain", "commerciale*", "commerciaux",
        "attache commercial*", "technico-commercial*", "ingenieur commercial*",
        "*vertrieb*", "*aussendienst*", "*außendienst*", "comercial*", "asesor comercial*",
        "territory", "sales representative*", "ejecutivo de cuentas", "representante",
    ),
    "retail": (
        "sales assistant*", "shop assistant*", "retail assistant*", "store manager*",
        "vendeur*", "vendeuse*", "*verkaufer*", "dependient*", "vendedor*",
        "conseiller de vente", "conseillere de vente",
    ),
    "marketing": (
        "marketing*", "marketer*", "seo", "sea", "content marketing*", "growth*",
        "social media*", "community manager*", "brand manager*", "charge de marketing",
        "chargee de marketing", "especialista seo", "online-marketing*", "outreach",
        "mercadotecnia",
    ),
    "software": (
        "developer*", "developpeu*", "*entwickler*", "desarrollador*", "programmer*",
        "programmeu*", "programador*", "software*", "backend*", "back-end*", "frontend*",
        "front-end*", "fullstack*", "full stack*", "full-stack*", "devops", "site reliability",
        "sre", "data engineer*", "web developer*", "informaticien*",
        "ingenieur logiciel*", "it specialist*", "code ninja*", "cto", "chief technology officer",
    ),
}  # fmt: skip


# Occupations next to each other: the same workplace and much of the same work, one a step up or
# down from the other or its close neighbour. A recruiter reads a move between them as plausible
# with gaps, not as another trade.
NEIGHBOUR_OCCUPATIONS: tuple[tuple[str, str], ...] = (
    ("nurse", "care-assistant"),
    ("teacher", "teaching-assistant"),
    ("teacher", "trainer"),
    ("cook", "waiter"),
    ("cook", "hotel-manager"),
    ("waiter", "hotel-manager"),
    ("receptionist", "hotel-manager"),
    ("accountant", "finance"),
    ("electrician", "maintenance"),
    ("plumber-heating", "maintenance"),
    ("mechanical-engineer", "maintenance"),
    ("carpenter", "construction-trades"),
    ("driver", "warehouse"),
    ("driver", "logistics-planner"),
    ("warehouse", "logistics-planner"),
    ("sales", "retail"),
    ("sales", "marketing"),
)


def neighbour_occupations(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of occupations hold a pair of neighbours (`NEIGHBOUR_OCCUPATIONS`)."""
    return any((x in a and y in b) or (y in a and x in b) for x, y in NEIGHBOUR_OCCUPATIONS)


def _occupation_pattern(terms: tuple[str, ...]) -> str:
    parts = []
    for term in terms:
        inside, open_end = term.startswith("*"), term.endswith("*")
        body = re.escape(term.strip("*")).replace(r"\ ", r"[\s\-]+")
        start = "" if inside else r"(?<![^\W\d_])"
        end = r"[^\W\d_]*(?:/[^\W\d_]+)?" if open_end else r"(?![^\W\d_])"
        parts.append(start + body + end)
    return "|".join(parts)


_OCCUPATION_RES = tuple(
    (name, re.compile(_occupation_pattern(terms))) for name, terms in OCCUPATION_TITLES.items()
)


@functools.lru_cache(maxsize=2048)
def occupations(title: str) -> frozenset[str]:
    """The occupations a job title names ("Infirmière", "Krankenpfleger" -> {"nurse"})."""
    folded = fold(title).replace("ß", "ss")
    return frozenset(name for name, regex in _OCCUPATION_RES if regex.search(folded))
