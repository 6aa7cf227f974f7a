"""The Northwind Freight policy and FAQ: written for development, in no real organisation's words.

One content model, rendered as PDF, DOCX or HTML by :mod:`tests.retrieval.devpolicy.render`,
so the loaders' tests and the development query set see the same text in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    number: str  # "4.2"; the depth is the number of parts
    title: str
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None

    @property
    def level(self) -> int:
        return self.number.count(".") + 1

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.level == 1 else f"{self.number} {self.title}"


@dataclass(frozen=True)
class Entry:
    question: str
    answer: str


@dataclass(frozen=True)
class Document:
    title: str
    sections: tuple[Section, ...] = ()
    entries: tuple[Entry, ...] = field(default_factory=tuple)


POLICY = Document(
    "Northwind Freight Ltd — FIN-03 Fixed Asset Capitalisation Policy",
    (
        Section("1", "Purpose", ("This policy sets when Northwind Freight records spending as a "
                "fixed asset on the balance sheet and when it is charged to the income statement "
                "as an operating expense. It applies to every depot, subsidiary and cost "
                "centre.",)),
        Section("2", "Recognition criteria"),
        Section("2.1", "Capitalisation threshold", ("An item is capitalised when its cost is GBP "
                "3,000 or more per individual unit, including non-recoverable VAT. Items below "
                "the threshold are expensed when bought, whatever the size of the order.",)),
        Section("2.2", "Expected use beyond one year", ("Only items expected to be used for more "
                "than twelve months are capitalised. Consumables, spare parts used within the "
                "year and items bought for a single short project are expensed.",)),
        Section("2.3", "Grouped assets", ("Items that cost less than the threshold individually "
                "may be capitalised as one asset when they are bought together for a new depot "
                "fit-out and function as a system, such as racking runs or a camera network. "
                "Routine replacement of individual items is expensed.",)),
        Section("3", "Measuring cost"),
        Section("3.1", "Purchase price and directly attributable costs", ("The cost of an asset "
                "is its purchase price after trade discounts and rebates, plus delivery, "
                "installation, site preparation and commissioning needed to bring it into use. "
                "Staff training, administration and general overheads are never part of cost.",)),
        Section("3.2", "Part-exchange of old equipment", ("When a supplier accepts an old asset "
                "in part-exchange, the new asset is recorded at its full price and the allowance "
                "received for the old one is treated as disposal proceeds of the old asset. A "
                "gain or loss on the old asset is reported in other operating income.",)),
        Section("3.3", "Borrowing costs", ("Interest on loans taken to build a depot or a "
                "warehouse over more than twelve months is added to the asset's cost until it is "
                "ready for use. Interest on general borrowing is expensed.",)),
        Section("4", "Depreciation"),
        Section("4.1", "Method and start date", ("Assets are depreciated on a straight-line basis "
                "from the month after they are first available for use, not from the invoice "
                "date. Land and assets under construction are not depreciated.",)),
        Section("4.2", "Assigning a useful life", ("Fixed asset accounting assigns each asset a "
                "useful life from the table in section 4.3 when the asset is registered. A "
                "budget holder who expects a materially shorter or longer life must say so in "
                "the purchase request with the reason; the financial controller decides and the "
                "decision is recorded in the asset register.",)),
        Section("4.3", "Table of useful lives", (), Table(
            ("Asset class", "Useful life", "Notes"),
            (
                ("Freehold buildings", "40 years", "land is not depreciated"),
                ("Warehouse racking", "15 years", ""),
                ("Heavy goods vehicles", "7 years", "tractor units and trailers"),
                ("Vans and cars", "5 years", ""),
                ("Forklift trucks", "8 years", "including batteries bought with the truck"),
                ("IT hardware", "4 years", "servers, laptops, handheld scanners"),
                ("Furniture and fittings", "10 years", ""),
            ),
        )),
        Section("5", "Subsequent expenditure"),
        Section("5.1", "Repairs and maintenance", ("Routine servicing, repairs and replacement "
                "of worn parts that keep an asset working as before are expensed as incurred, "
                "even when a single repair bill exceeds the capitalisation threshold.",)),
        Section("5.2", "Major overhauls and rebuilds", ("An engine rebuild or a major overhaul "
                "that extends a vehicle's life by more than two years, or increases its payload, "
                "is capitalised as a separate component and depreciated over the extension. The "
                "remaining value of the replaced component is written off.",)),
        Section("5.3", "Improvements to leased depots", ("Fit-out of a depot Northwind rents, "
                "such as partition walls, lighting and loading-bay doors, is capitalised as a "
                "leasehold improvement and depreciated over the shorter of its useful life and "
                "the remaining lease term.",)),
        Section("6", "Software and intangible assets"),
        Section("6.1", "Internally developed software", ("Development of the route-planning and "
                "warehouse systems is capitalised from the point the project board approves the "
                "build until the system goes live. Feasibility studies, data conversion and "
                "user training are expensed.",)),
        Section("6.2", "Cloud subscriptions", ("Fees for software used as a service, such as the "
                "telematics platform or email, are operating expenses. Configuration work done "
                "by the provider that Northwind does not control is expensed when performed.",)),
        Section("7", "Approval limits", (), Table(
            ("Total request", "Approved by"),
            (
                ("Up to GBP 25,000", "Depot manager"),
                ("GBP 25,000 to 150,000", "Regional finance director"),
                ("Over GBP 150,000", "Chief financial officer and the board"),
            ),
        )),
        Section("8", "Disposals and impairment", ("Assets sold, scrapped or lost are removed from "
                "the register in the month of disposal. An asset damaged in an accident is "
                "reviewed for impairment and written down to its recoverable amount.",)),
    ),
)

FAQ = Document(
    "Northwind Freight — Fixed Asset Questions and Answers",
    entries=(
        Entry("Do I capitalise a laptop costing GBP 1,200?", "No. It is below the GBP 3,000 "
              "threshold per unit, so it is an operating expense. See section 2.1."),
        Entry("How long do we depreciate a forklift?", "Forklift trucks are depreciated over "
              "eight years, including batteries bought with the truck. Refer to policy "
              "section 4.3."),
        Entry("We had the gearbox of a lorry repaired for GBP 9,000. Is it CapEx?", "Usually "
              "not: a repair that keeps the lorry working as before is expensed even above the "
              "threshold (policy section 5.1)."),
        Entry("Is the telematics subscription an asset?", "No, it is a cloud subscription and is "
              "expensed. See section 6.2 of FIN-03."),
        Entry("Who signs off a GBP 80,000 purchase?", "The regional finance director approves "
              "requests between GBP 25,000 and 150,000. See section 7."),
    ),
)
