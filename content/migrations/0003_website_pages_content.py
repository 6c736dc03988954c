"""The website's first pages (home, services, about) in English and Norwegian; staff edit them
in the back office afterwards. An existing page is left as staff wrote it."""

from django.db import migrations

PAGES = {
    "home": {
        "title_en": "Growth for clinics",
        "title_nb": "Vekst for klinikker",
        "description_en": (
            "Wekst helps dental, physiotherapy and aesthetic clinics in Norway win new patients "
            "with measured marketing and patient data handled with care."
        ),
        "description_nb": (
            "Wekst hjelper tannklinikker, fysioterapeuter og estetiske klinikker i Norge med å "
            "få nye pasienter, med målbar markedsføring og varsom bruk av persondata."
        ),
        "body_en": """Wekst is a marketing agency for clinics. We help you fill your calendar with the patients you want to treat: clear campaigns, a website that turns visitors into bookings, and figures you can follow every month.

## What we do for clinics

- **Patient acquisition**: search and social campaigns aimed at the treatments you want more of.
- **Websites that book**: fast, clear pages with online booking, written for patients, not for search engines alone.
- **Measurement you can trust**: monthly reports on enquiries, bookings and cost per new patient.
- **Privacy by design**: consent-based analytics and forms that tell patients exactly what happens to their data.

## How we work

We start with a free, 30-minute online growth meeting. We look at your clinic, your market and your goals, and you leave with three concrete ideas, whether or not you work with us afterwards.""",
        "body_nb": """Wekst er et markedsføringsbyrå for klinikker. Vi hjelper deg å fylle kalenderen med pasientene du ønsker å behandle: tydelige kampanjer, et nettsted som gjør besøkende til bestillinger, og tall du kan følge hver måned.

## Dette gjør vi for klinikker

- **Nye pasienter**: søke- og annonsekampanjer rettet mot behandlingene du vil ha flere av.
- **Nettsider som gir bestillinger**: raske, tydelige sider med nettbestilling, skrevet for pasienter, ikke bare for søkemotorer.
- **Målinger du kan stole på**: månedlige rapporter om henvendelser, bestillinger og kostnad per ny pasient.
- **Personvern innebygd**: samtykkebasert analyse og skjemaer som sier pasientene nøyaktig hva som skjer med opplysningene deres.

## Slik jobber vi

Vi starter med et gratis vekstmøte på nett på 30 minutter. Vi ser på klinikken, markedet og målene dine, og du går derfra med tre konkrete idéer, enten du jobber videre med oss eller ikke.""",
    },
    "services": {
        "title_en": "Services",
        "title_nb": "Tjenester",
        "description_en": (
            "Campaigns, websites, measurement and privacy-first analytics for clinics: what "
            "Wekst delivers and how an engagement runs."
        ),
        "description_nb": (
            "Kampanjer, nettsider, måling og personvernvennlig analyse for klinikker: hva Wekst "
            "leverer og hvordan et samarbeid foregår."
        ),
        "body_en": """## Patient acquisition

Search and social campaigns planned around your treatments, opening hours and capacity. We write the ads, set the budgets with you and adjust them every week.

## Websites and booking

A clinic website that loads fast on a phone, explains each treatment plainly and leads to booking. We connect your booking system and keep the pages up to date.

## Reporting

One page each month: enquiries, bookings, cost per new patient and what we change next. No jargon, no vanity figures.

## Privacy and compliance

Analytics only with consent, forms with the notices the GDPR requires, and a data processing agreement for the work we do on your behalf.

## How an engagement runs

1. **Growth meeting** (free, 30 minutes online): your goals and what stands in the way.
2. **Plan**: a written proposal with costs and expected results within a week.
3. **Launch**: campaigns and pages live within four weeks.
4. **Follow-up**: a monthly report and a short meeting to decide what comes next.""",
        "body_nb": """## Nye pasienter

Søke- og annonsekampanjer planlagt etter behandlingene, åpningstidene og kapasiteten din. Vi skriver annonsene, setter budsjettene sammen med deg og justerer dem hver uke.

## Nettsider og bestilling

Et klinikknettsted som laster raskt på mobil, forklarer hver behandling enkelt og leder til bestilling. Vi kobler til bestillingssystemet ditt og holder sidene oppdatert.

## Rapportering

Én side hver måned: henvendelser, bestillinger, kostnad per ny pasient og hva vi endrer videre. Ingen sjargong, ingen pyntetall.

## Personvern og regelverk

Analyse bare med samtykke, skjemaer med informasjonen personvernforordningen krever, og en databehandleravtale for arbeidet vi gjør på dine vegne.

## Slik foregår et samarbeid

1. **Vekstmøte** (gratis, 30 minutter på nett): målene dine og hva som står i veien.
2. **Plan**: et skriftlig forslag med kostnader og forventede resultater innen en uke.
3. **Oppstart**: kampanjer og sider i drift innen fire uker.
4. **Oppfølging**: en månedlig rapport og et kort møte om veien videre.""",
    },
    "about": {
        "title_en": "About Wekst",
        "title_nb": "Om Wekst",
        "description_en": (
            "Wekst is the clinic marketing agency of Harwest AS in Oslo: who we are, how we work "
            "and how we treat your data."
        ),
        "description_nb": (
            "Wekst er klinikkbyrået til Harwest AS i Oslo: hvem vi er, hvordan vi jobber og "
            "hvordan vi behandler opplysningene dine."
        ),
        "body_en": """Wekst is a trading name of Harwest AS, a marketing agency in Oslo that works only with clinics: dentists, physiotherapists, chiropractors and aesthetic clinics.

## Who we are

A small team of marketers, writers and developers who have run campaigns for clinics across Norway. You talk to the same people from the first meeting to the monthly report.

## What we believe

Patients choose a clinic they trust. Good marketing for clinics is honest about treatments and prices, and careful with personal data. That is why this website shows exactly what it collects and why, and asks before it measures anything.

## Where to find us

Harbitzalléen 25, 0275 Oslo. Organisation number 922 184 054.""",
        "body_nb": """Wekst er et varemerke for Harwest AS, et markedsføringsbyrå i Oslo som bare jobber med klinikker: tannleger, fysioterapeuter, kiropraktorer og estetiske klinikker.

## Hvem vi er

Et lite team av markedsførere, skribenter og utviklere som har drevet kampanjer for klinikker over hele Norge. Du snakker med de samme folkene fra første møte til den månedlige rapporten.

## Hva vi tror på

Pasienter velger en klinikk de stoler på. God markedsføring for klinikker er ærlig om behandlinger og priser, og varsom med personopplysninger. Derfor viser dette nettstedet nøyaktig hva det samler inn og hvorfor, og spør før det måler noe.

## Hvor du finner oss

Harbitzalléen 25, 0275 Oslo. Organisasjonsnummer 922 184 054.""",
    },
}


def create_pages(apps, schema_editor):
    Page = apps.get_model("content", "Page")
    for slug, fields in PAGES.items():
        Page.objects.get_or_create(slug=slug, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("content", "0002_website_pages")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
