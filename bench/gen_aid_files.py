"""Generate large, valid IATI activity XML and ForeignAssistance.gov CSV files for the import benchmark.

Deterministic: the same (kind, rows, seed) always writes the same bytes. IATI files get `rows` transactions
(5 per activity); FA files get `rows` data rows (about 3 per activity), in the published 51-column layout.

    .venv/bin/python bench/gen_aid_files.py fa-csv 100000 /tmp/fa_100k.csv --seed 7
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

_FA_HEADER = (
    "Country ID,Country Code,Country Name,Region ID,Region Name,Income Group ID,Income Group Name,Income Group Acronym,"
    "Managing Agency ID,Managing Agency Acronym,Managing Agency Name,Managing Sub-agency or Bureau ID,"
    "Managing Sub-agency or Bureau Acronym,Managing Sub-agency or Bureau Name,Implementing Partner Category ID,"
    "Implementing Partner Category Name,Implementing Partner Sub-category ID,Implementing Partner Sub-category Name,"
    "Implementing Partner ID,Implementing Partner Name,International Category ID,International Category Name,"
    "International Sector Code,International Sector Name,International Purpose Code,International Purpose Name,"
    "US Category ID,US Category Name,US Sector ID,US Sector Name,Submission ID,Funding Acount ID,Funding Account Name,"
    "Funding Agency ID,Funding Agency Name,Funding Agency Acronym,Foreign Assistance Objective ID,"
    "Foreign Assistance Objective Name,Aid Type Group ID,Aid Type Group Name,Activity ID,Activity Name,"
    "Activity Description,Activity Project Number,Activity Start Date,Activity End Date,Transaction Type ID,"
    "Transaction Type Name,Fiscal Year,Current Dollar Amount,Constant Dollar Amount"
)
FA_COLUMNS = _FA_HEADER.split(",")  # the header exactly as the site publishes it
COUNTRIES = [("JAM", "Jamaica"), ("TTO", "Trinidad and Tobago"), ("BHS", "Bahamas"), ("BRB", "Barbados"),
             ("DOM", "Dominican Republic"), ("GUY", "Guyana"), ("SUR", "Suriname"), ("BLZ", "Belize"),
             ("HTI", "Haiti"), ("SLV", "El Salvador")]
AGENCIES = [("1", "USAID", "U.S. Agency for International Development"), ("2", "STATE", "Department of State"),
            ("18", "IAF", "Inter-American Foundation")]
BUREAUS = [("26", "LAC", "Bureau for Latin America and Caribbean"),
           ("310", "INL", "Bureau of International Narcotics and Law Enforcement Affairs"),
           ("999", "", "not applicable")]
CATEGORIES = [("3", "NGO", "NGO - United States", "5"), ("8", "Enterprises", "Enterprises - United States", "19"),
              ("7", "Multilateral", "Multilateral - United Nations", "12"),
              ("1", "Government", "Government - Non United States", "2")]
PURPOSES = ["15130", "15210", "16063", "15150", "15220", "91010", "13040"]
TRANSACTIONS = [("2", "Obligations"), ("3", "Disbursements")]


def generate_fa(rows: int, path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FA_COLUMNS)
        activity = 500_000
        for index in range(rows):
            if index % 3 == 0 or rng.random() < 0.05:
                activity += 1
            iso3, country = COUNTRIES[activity % len(COUNTRIES)]
            agency = AGENCIES[activity % len(AGENCIES)]
            bureau = BUREAUS[activity % len(BUREAUS)]
            cat = CATEGORIES[activity % len(CATEGORIES)]
            partner = 4_100_000 + rng.randrange(2000)
            tx_id, tx_name = TRANSACTIONS[rng.randrange(2)]
            year = 2000 + rng.randrange(24)
            amount = rng.randrange(1, 5_000_000)
            row = {name: "" for name in FA_COLUMNS}
            row.update({
                "Country ID": "1", "Country Code": iso3, "Country Name": country, "Region ID": "6",
                "Region Name": "Western Hemisphere", "Managing Agency ID": agency[0],
                "Managing Agency Acronym": agency[1], "Managing Agency Name": agency[2],
                "Managing Sub-agency or Bureau ID": bureau[0], "Managing Sub-agency or Bureau Acronym": bureau[1],
                "Managing Sub-agency or Bureau Name": bureau[2], "Implementing Partner Category ID": cat[0],
                "Implementing Partner Category Name": cat[1],
                # swapped as in the real files
                "Implementing Partner Sub-category ID": cat[2], "Implementing Partner Sub-category Name": cat[3],
                "Implementing Partner ID": str(partner), "Implementing Partner Name": f"Partner {partner} Inc.",
                "International Purpose Code": PURPOSES[activity % len(PURPOSES)], "Submission ID": "1",
                "Funding Acount ID": "72x1037", "Funding Account Name": "Economic Support Fund",
                "Funding Agency ID": agency[0], "Funding Agency Name": agency[2], "Funding Agency Acronym": agency[1],
                "Activity ID": str(activity), "Activity Name": f"Generated activity {activity}",
                "Activity Description": f"Benchmark activity {activity} in {country}.",
                "Activity Start Date": f"{year}-01-15", "Activity End Date": f"{year + 3}-12-31",
                "Transaction Type ID": tx_id, "Transaction Type Name": tx_name,
                "Fiscal Year": "1976tq" if rng.random() < 0.001 else str(year),
                "Current Dollar Amount": str(amount), "Constant Dollar Amount": str(amount),
            })
            writer.writerow([row[name] for name in FA_COLUMNS])


def generate_iati(rows: int, path: Path, seed: int, per_activity: int = 5) -> None:
    rng = random.Random(seed)
    iso2 = ["JM", "TT", "BS", "BB", "DO", "GY", "SR", "BZ", "HT", "SV"]
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
                  'generated-datetime="2024-01-01T00:00:00Z">\n')
        written = 0
        number = 0
        while written < rows:
            number += 1
            ident = f"US-GOV-1-BENCH-{number:08d}"
            partner = f"XI-BENCH-{rng.randrange(2000):05d}"
            country = iso2[number % len(iso2)]
            out.write(f' <iati-activity default-currency="USD" hierarchy="1">\n  <iati-identifier>{ident}'
                      '</iati-identifier>\n  <reporting-org ref="US-GOV-1" type="10"><narrative>USAID</narrative>'
                      f'</reporting-org>\n  <title><narrative>{escape(f"Bench activity {number}")}'
                      '</narrative></title>\n'
                      '  <participating-org ref="US-GOV-1" role="1" type="10"><narrative>USAID</narrative>'
                      f'</participating-org>\n  <participating-org ref={quoteattr(partner)} role="4" type="21">'
                      f'<narrative>Partner {partner}</narrative></participating-org>\n'
                      '  <activity-status code="2"/>\n  <activity-date type="2" iso-date="2015-01-01"/>\n'
                      f'  <recipient-country code="{country}" percentage="100"/>\n'
                      f'  <sector vocabulary="1" code="{PURPOSES[number % len(PURPOSES)]}"/>\n')
            for _ in range(min(per_activity, rows - written)):
                day = f"{2010 + rng.randrange(14)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
                out.write(f'  <transaction><transaction-type code="{rng.choice("1234")}"/>'
                          f'<transaction-date iso-date="{day}"/><value value-date="{day}">{rng.randrange(1, 10**7)}'
                          '</value><provider-org ref="US-GOV-1"><narrative>USAID</narrative></provider-org>'
                          f'<receiver-org ref={quoteattr(partner)}><narrative>Partner {partner}</narrative>'
                          '</receiver-org></transaction>\n')
                written += 1
            out.write(" </iati-activity>\n")
        out.write("</iati-activities>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["iati", "fa-csv"])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    (generate_iati if args.kind == "iati" else generate_fa)(args.rows, args.path, args.seed)


if __name__ == "__main__":
    main()
