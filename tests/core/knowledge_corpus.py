"""A labelled corpus for measuring knowledge-base retrieval: short made-up documents, each a few
sections about an invented subject with facts found nowhere else, and questions whose answer
sits in one known passage.

Every section starts with a Markdown heading, so each is a passage of its own (the chunker
starts a passage at a heading, `chatdesk/core/knowledge/chunking.py`). A question names its
passage by the document's path and a phrase only that passage holds. Half the questions use
the document's own words ("words"); the other half ask with other forms of them ("forms":
plural for singular, "-ing" for "-ed", a noun for its verb) so that keywords, which the index
matches exactly (no stemming), miss where the mock's trigram vectors still point the right way.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENTS: dict[str, str] = {
    # -- a city's water --------------------------------------------------------------------------
    "water/velmora-reservoirs.md": """# Velmora reservoirs

## Upper basin
Velmora draws its drinking water from the Ostrel reservoir, which is refilled by snowmelt
every April. The dam keeper lowers the spillway gates when the gauge passes eleven metres.

## Lower basin
The lower basin at Kettle Hollow stores grey water for the parks and is drained each November
so the sluices can be scraped.
""",
    "water/velmora-pipes.md": """# Velmora pipes

## Mains
The old town mains are cast iron laid in 1887; the engineers replaced a third of them with
ductile pipe after the winter bursts of 1963.

## Leak patrol
Leak inspectors walk the districts at night with listening sticks, because a leaking joint is
easiest to hear when the streets are quiet.
""",
    "water/velmora-tariffs.md": """# Velmora water tariffs

## Household rate
Households pay four crowns per cubic metre for the first twenty cubic metres each quarter and
seven crowns for every cubic metre above that.

## Metering
Every meter is read by the district clerk on the last Thursday of the quarter; an estimated
reading is corrected at the next visit.
""",
    # -- a board game ----------------------------------------------------------------------------
    "games/quarrystone-setup.md": """# Quarrystone: setting up

## Board
Quarrystone is played on a hexagonal board of thirty-seven tiles; the granite tile always goes
in the centre and the marble tiles form the outer ring.

## Starting hands
Each player shuffles a deck of fourteen chisel cards and draws five, and the youngest player
places the first mason.
""",
    "games/quarrystone-scoring.md": """# Quarrystone: scoring

## Blocks
A finished wall of three blocks scores six points; a wall topped with a carved lintel scores
double.

## Ending
The game ends when the quarry pile is empty, and ties are broken by the number of unused
chisel cards.
""",
    "games/quarrystone-turns.md": """# Quarrystone: a turn

## Actions
On a turn a player may quarry one block, haul two blocks along a road, or trade a chisel card
with the merchant.

## Collapse
A tower taller than four blocks collapses at once, and its owner discards two cards.
""",
    # -- recipes ---------------------------------------------------------------------------------
    "recipes/saffron-barley-soup.md": """# Saffron barley soup

## Broth
Simmer the pearl barley in chicken stock for forty minutes, then stir in a pinch of saffron
soaked in warm milk.

## Serving
Ladle the soup over toasted rye croutons and finish it with chopped chervil.
""",
    "recipes/plum-dumplings.md": """# Plum dumplings

## Dough
Mash boiled floury potatoes with one egg and enough semolina to make a soft dough, and let it
rest for ten minutes.

## Filling
Stone each damson plum, fill the hollow with a sugar cube, and wrap it in the dough before
poaching the dumplings for twelve minutes.
""",
    "recipes/smoked-eel-pie.md": """# Smoked eel pie

## Pastry
Blind bake the shortcrust case at 190 degrees for fifteen minutes, weighted with dried beans.

## Filling
Flake the smoked eel into a custard of cream, horseradish and three eggs, and bake the pie
until the centre barely wobbles.
""",
    # -- bicycle repair --------------------------------------------------------------------------
    "bikes/puncture.md": """# Fixing a puncture

## Finding the hole
Inflate the inner tube and pass it slowly under water; a stream of bubbles marks the hole.

## Patching
Roughen the rubber with sandpaper, spread a thin layer of vulcanising solution, wait until it
turns matt, then press the patch down firmly for a minute.
""",
    "bikes/derailleur.md": """# Adjusting a rear derailleur

## Limit screws
The high limit screw stops the chain from falling off the smallest sprocket; turn it
clockwise to move the cage inward.

## Cable tension
If the chain hesitates when shifting to a bigger sprocket, unscrew the barrel adjuster by a
quarter turn.
""",
    "bikes/brakes.md": """# Rim brakes

## Pads
Replace the brake pads when the grooves are worn flat, and toe them in so the front edge
touches the rim first.

## Squealing
A squealing brake is usually cured by cleaning the rim with alcohol and sanding the pads
lightly.
""",
    # -- an observatory --------------------------------------------------------------------------
    "astronomy/lantern-hill-telescope.md": """# Lantern Hill telescope

## Mirror
The Lantern Hill Observatory's reflector has a mirror of sixty centimetres, ground by the club
members over three winters.

## Cooling
The dome is opened an hour before observing so the mirror cools to the night air.
""",
    "astronomy/lantern-hill-nights.md": """# Lantern Hill observing nights

## Public nights
Public observing nights are held on the first Saturday of every month, and visitors must
book a place in advance.

## Red light
Only red torches are allowed on the viewing terrace, because white light spoils the eyes'
adaptation to darkness.
""",
    "astronomy/lantern-hill-records.md": """# Lantern Hill records

## Comets
Club members discovered two comets, the brighter of them named after the caretaker, Ilse
Varga.

## Logbooks
Each observer writes the seeing, the transparency and the eyepiece used into the bound
logbook kept by the door.
""",
    # -- a made-up language ----------------------------------------------------------------------
    "language/oskavi-verbs.md": """# Oskavi verbs

## Tenses
Oskavi marks the past tense with the suffix -ren, so "tal" (to walk) becomes "talren" (walked).

## Questions
A question is formed by moving the verb to the end of the sentence and raising the voice.
""",
    "language/oskavi-nouns.md": """# Oskavi nouns

## Plurals
Plural nouns double their first syllable: "mira" (river) becomes "mimira" (rivers).

## Gender
Oskavi has no grammatical gender, but nouns for tools take the prefix ka-.
""",
    "language/oskavi-script.md": """# Oskavi script

## Letters
The Oskavi alphabet has twenty-two letters written from right to left, with vowels shown as
dots above the consonants.

## Numerals
Numbers are counted in twelves, and the sign for twelve looks like an open hand.
""",
    # -- bees ------------------------------------------------------------------------------------
    "bees/hollin-hives.md": """# Hollin Farm hives

## Hives
Hollin Farm keeps nineteen hives of dark native bees on the heather moor above the barn.

## Inspections
The hives are inspected every nine days in summer to find queen cells before a swarm leaves.
""",
    "bees/hollin-honey.md": """# Hollin Farm honey

## Harvest
Honey is extracted in late August with a hand-cranked spinner, and the heather honey is
pressed from the comb because it sets like jelly.

## Jars
The farm sells its honey in hexagonal jars sealed with beeswax.
""",
    "bees/hollin-winter.md": """# Hollin Farm in winter

## Feeding
Colonies that are light in October are fed with fondant placed above the crown board.

## Mice
Mouse guards are fitted to every entrance in autumn, because mice nest in the warm comb.
""",
    # -- a railway -------------------------------------------------------------------------------
    "rail/brackwater-history.md": """# The Brackwater Line

## Opening
The Brackwater Line opened in 1871 to carry slate from the Penrig quarries down to the harbour.

## Closure
Passenger services ended in 1958, and volunteers reopened four miles of track as a heritage
railway in 1979.
""",
    "rail/brackwater-engines.md": """# Brackwater engines

## Locomotives
The line's oldest locomotive, the saddle tank Dolwen, was built in Leeds and still steams on
summer weekends.

## Gauge
The track is narrow gauge, two feet between the rails, so the carriages are barely wider than
a kitchen table.
""",
    "rail/brackwater-timetable.md": """# Brackwater timetable

## Trains
Trains leave the harbour station at ten, half past twelve and three o'clock from Easter to
October.

## Tickets
A return ticket costs nine pounds, and dogs travel free if they sit on the floor.
""",
    # -- pottery ---------------------------------------------------------------------------------
    "pottery/kiln-firing.md": """# Kiln firing

## Bisque
The bisque firing climbs slowly to 950 degrees so water trapped in the clay escapes without
cracking the pots.

## Glaze
The glaze firing reaches cone six, and the kiln is left closed for a full day while it cools.
""",
    "pottery/throwing.md": """# Throwing on the wheel

## Centring
Centring the clay comes first: brace your elbows against your thighs and lean your weight into
the spinning lump.

## Pulling walls
Pull the walls up in three passes, each one thinner, keeping the rim slightly thicker than the
rest.
""",
    "pottery/clay-recycling.md": """# Recycling clay

## Slaking
Dry scraps are slaked in a bucket of water overnight until they break down into slurry.

## Wedging
The slurry is dried on plaster bats and wedged a hundred times to push out air bubbles.
""",
    # -- sailing ---------------------------------------------------------------------------------
    "sailing/merrow-rigging.md": """# The Merrow's rigging

## Sails
The Merrow is a gaff cutter carrying a mainsail, a staysail and a jib set flying from the
bowsprit.

## Reefing
The mainsail is reefed at the mooring whenever the forecast gives more than force five.
""",
    "sailing/knots.md": """# Knots

## Bowline
The bowline makes a fixed loop that does not slip and is easily untied after carrying a load.

## Rolling hitch
A rolling hitch grips a rope or spar along its length and holds against a sideways pull.
""",
    "sailing/merrow-maintenance.md": """# Merrow maintenance

## Hull
The Merrow is hauled out every March, her planking is scraped, and her hull is painted with
copper antifouling.

## Engine
The small diesel engine gets a new impeller and fuel filter before the first sail of the season.
""",
    # -- chess -----------------------------------------------------------------------------------
    "chess/tournament-clocks.md": """# Tournament clocks

## Time control
Club tournament games use ninety minutes for each player with thirty seconds added per move.

## Flag
A player whose flag falls loses, unless the opponent has too little material to checkmate.
""",
    "chess/tournament-pairing.md": """# Tournament pairing

## Swiss system
Rounds are paired by the Swiss system, so players with equal scores meet and nobody is knocked
out.

## Colours
The pairing software alternates colours, and no player gets black three times in a row.
""",
    "chess/club-ladder.md": """# The club ladder

## Challenges
A member may challenge anyone up to three rungs above them on the ladder, and the winner takes
the higher rung.

## Inactivity
Members who play no ladder game for two months drop one rung.
""",
    # -- an orchard ------------------------------------------------------------------------------
    "orchard/grafting.md": """# Grafting apples

## Whip and tongue
Whip and tongue grafting joins a scion and a rootstock of the same thickness, cut with
matching slanted faces.

## Timing
Grafts are made in early spring, when the buds of the rootstock are swelling but the scions
are still dormant.
""",
    "orchard/pruning.md": """# Pruning the orchard

## Winter pruning
Old apple trees are pruned in winter, removing crossing branches and opening the centre to the
light.

## Summer pruning
Trained cordons are pruned in August, shortening the new side shoots to three leaves.
""",
    "orchard/varieties.md": """# Orchard varieties

## Apples
The orchard grows Ashmead's Kernel for keeping and Egremont Russet for eating straight from the
tree.

## Pears
The one pear tree is a Doyenné du Comice, planted against the south wall for its warmth.
""",
    # -- software --------------------------------------------------------------------------------
    "software/tallyho-config.md": """# Tallyho configuration

## Currency
Tallyho reads the invoice currency from the file tallyho.ini, and falls back to euros when the
setting is missing.

## Numbering
Invoice numbers restart at one each January unless continuous numbering is switched on.
""",
    "software/tallyho-backups.md": """# Tallyho backups

## Schedule
Tallyho copies its ledger to the backups folder every night at two, keeping the last thirty
copies.

## Restoring
To restore a ledger, close Tallyho and drop the copy onto the restore window.
""",
    "software/tallyho-reminders.md": """# Tallyho reminders

## Overdue invoices
An overdue invoice triggers a polite reminder after fourteen days and a firm one after
twenty-eight.

## Late fees
Late fees are added only when the customer's contract mentions them.
""",
    # -- clocks ----------------------------------------------------------------------------------
    "clocks/dunmere-museum.md": """# Dunmere clock museum

## Collection
The Dunmere museum holds two hundred longcase clocks, the oldest made by a blacksmith in 1702.

## Winding
Every clock in the collection is wound by hand on Monday mornings before the doors open.
""",
    "clocks/dunmere-astronomical.md": """# The Dunmere astronomical clock

## Dial
The astronomical clock shows the phases of the moon and the tides at the harbour mouth.

## Restoration
Its restoration took eleven years because every brass gear had to be measured and redrawn.
""",
    "clocks/pendulums.md": """# Pendulums

## Length
A pendulum of just under one metre beats once a second, and lengthening it slows the clock.

## Temperature
A gridiron pendulum of brass and steel keeps its length when the temperature changes.
""",
    # -- fermenting ------------------------------------------------------------------------------
    "fermenting/kimchi.md": """# Kimchi

## Salting
Napa cabbage is salted for six hours, turned halfway through, and then rinsed three times.

## Paste
The paste is red pepper flakes, garlic, ginger, fish sauce and a little rice porridge to
feed the bacteria.
""",
    "fermenting/sauerkraut.md": """# Sauerkraut

## Brine
Shredded cabbage is massaged with two percent of its weight in salt until it sits under its
own brine.

## Crock
The crock's water seal keeps air out, and the kraut is ready after four weeks in a cool
cellar.
""",
    "fermenting/kombucha.md": """# Kombucha

## Culture
The culture, a rubbery disc of yeast and bacteria, floats on sweetened black tea.

## Bottling
After ten days the kombucha is bottled with ginger for a second ferment that makes it fizzy.
""",
    # -- a mountain hut --------------------------------------------------------------------------
    "huts/skarven-rules.md": """# Skarven hut rules

## Booking
Beds at Skarven hut are booked through the valley office, and walkers without a booking sleep
in the winter room.

## Quiet hours
Quiet hours run from ten at night until six in the morning, and boots stay in the drying room.
""",
    "huts/skarven-route.md": """# The route to Skarven hut

## Path
The path to Skarven hut follows the cairned ridge from Tindvatn and takes about five hours.

## Hazards
In fog, walkers keep to the cairns, because the north side of the ridge drops into a glacier.
""",
    "huts/skarven-supplies.md": """# Skarven supplies

## Food
The hut's food is flown in by helicopter each June, and the pantry is stocked for sixty
guests.

## Firewood
Firewood is carried up by the guests themselves: each walker brings one log from the valley.
""",
}


@dataclass(frozen=True)
class Question:
    text: str
    path: str  # the document of the passage that answers it
    phrase: str  # words of that passage, and of no other passage of the document
    kind: str  # "words": with the passage's own words; "forms": with none of them


QUESTIONS: tuple[Question, ...] = (
    # -- with the document's own words -----------------------------------------------------------
    Question(
        "Which reservoir is refilled by snowmelt?",
        "water/velmora-reservoirs.md",
        "snowmelt every April",
        "words",
    ),
    Question(
        "What do leak inspectors carry at night?",
        "water/velmora-pipes.md",
        "listening sticks",
        "words",
    ),
    Question(
        "How many chisel cards does each player draw at the start?",
        "games/quarrystone-setup.md",
        "draws five",
        "words",
    ),
    Question(
        "What happens to a tower taller than four blocks?",
        "games/quarrystone-turns.md",
        "collapses at once",
        "words",
    ),
    Question(
        "How long is the pearl barley simmered in stock?",
        "recipes/saffron-barley-soup.md",
        "forty minutes",
        "words",
    ),
    Question(
        "What goes into the hollow of each damson plum?",
        "recipes/plum-dumplings.md",
        "sugar cube",
        "words",
    ),
    Question(
        "How do I find the hole in an inner tube?",
        "bikes/puncture.md",
        "stream of bubbles",
        "words",
    ),
    Question(
        "What does the high limit screw stop?",
        "bikes/derailleur.md",
        "smallest sprocket",
        "words",
    ),
    Question(
        "How big is the mirror of the Lantern Hill reflector?",
        "astronomy/lantern-hill-telescope.md",
        "sixty centimetres",
        "words",
    ),
    Question(
        "Which comet was named after the caretaker?",
        "astronomy/lantern-hill-records.md",
        "Ilse",
        "words",
    ),
    Question(
        "Which suffix marks the past tense in Oskavi?",
        "language/oskavi-verbs.md",
        "suffix -ren",
        "words",
    ),
    Question(
        "How many hives does Hollin Farm keep on the heather moor?",
        "bees/hollin-hives.md",
        "nineteen hives",
        "words",
    ),
    Question(
        "When did the Brackwater Line open and what did it carry?",
        "rail/brackwater-history.md",
        "Penrig quarries",
        "words",
    ),
    Question(
        "How much does a return ticket cost on the Brackwater timetable?",
        "rail/brackwater-timetable.md",
        "nine pounds",
        "words",
    ),
    Question(
        "What temperature does the bisque firing climb to?",
        "pottery/kiln-firing.md",
        "950 degrees",
        "words",
    ),
    Question(
        "What sails does the Merrow gaff cutter carry?",
        "sailing/merrow-rigging.md",
        "staysail",
        "words",
    ),
    Question(
        "What time control do club tournament games use?",
        "chess/tournament-clocks.md",
        "ninety minutes",
        "words",
    ),
    Question(
        "Where is the Doyenné du Comice pear tree planted?",
        "orchard/varieties.md",
        "south wall",
        "words",
    ),
    Question(
        "Where does Tallyho read the invoice currency from?",
        "software/tallyho-config.md",
        "tallyho.ini",
        "words",
    ),
    Question(
        "Who made the oldest longcase clock in the Dunmere museum?",
        "clocks/dunmere-museum.md",
        "blacksmith in 1702",
        "words",
    ),
    Question(
        "How long is napa cabbage salted for kimchi?",
        "fermenting/kimchi.md",
        "six hours",
        "words",
    ),
    Question(
        "How is food brought to Skarven hut?",
        "huts/skarven-supplies.md",
        "helicopter",
        "words",
    ),
    # -- with other forms of the passage's words, and none of its words ------------------------
    Question(
        "When are the spillways lowered by the keepers of the dams?",
        "water/velmora-reservoirs.md",
        "spillway gates",
        "forms",
    ),
    Question(
        "What is a householder paying past the twentieth cube charged?",
        "water/velmora-tariffs.md",
        "seven crowns",
        "forms",
    ),
    Question(
        "How are tied scores settled when quarrying finishes?",
        "games/quarrystone-scoring.md",
        "unused",
        "forms",
    ),
    Question(
        "How long do eels' pastries take baking blindly, weighting with beanbags?",
        "recipes/smoked-eel-pie.md",
        "fifteen minutes",
        "forms",
    ),
    Question(
        "How are patches applied: sanding, solutions, pressing?",
        "bikes/puncture.md",
        "vulcanising solution",
        "forms",
    ),
    Question(
        "How do I stop brakes that squeal?",
        "bikes/brakes.md",
        "alcohol",
        "forms",
    ),
    Question(
        "Why are lamps with whiter lighting banned from terraces?",
        "astronomy/lantern-hill-nights.md",
        "red torches",
        "forms",
    ),
    Question(
        "How is a noun pluralised by doubling?",
        "language/oskavi-nouns.md",
        "first syllable",
        "forms",
    ),
    Question(
        "How often do they inspect the hive in summers?",
        "bees/hollin-hives.md",
        "every nine days",
        "forms",
    ),
    Question(
        "When is extracting and pressing of the combs done?",
        "bees/hollin-honey.md",
        "late August",
        "forms",
    ),
    Question(
        "Which engine is steaming on a weekend in summertime?",
        "rail/brackwater-engines.md",
        "Dolwen",
        "forms",
    ),
    Question(
        "How should potters centre their clays on wheels?",
        "pottery/throwing.md",
        "brace your elbows",
        "forms",
    ),
    Question(
        "When do the crews reef mainsails in forecasted winds?",
        "sailing/merrow-rigging.md",
        "force five",
        "forms",
    ),
    Question(
        "How do pairings work so equally scoring player meets player?",
        "chess/tournament-pairing.md",
        "equal scores",
        "forms",
    ),
    Question(
        "At what time is grafting done, with rootstocks' budding swelled?",
        "orchard/grafting.md",
        "early spring",
        "forms",
    ),
    Question(
        "How many copied ledgers does the nightly backup keep?",
        "software/tallyho-backups.md",
        "last thirty",
        "forms",
    ),
    Question(
        "What lengths give pendula beating in seconds?",
        "clocks/pendulums.md",
        "one metre",
        "forms",
    ),
    Question(
        "How long till sauerkraut in crocks is fermented enough in cellars?",
        "fermenting/sauerkraut.md",
        "four weeks",
        "forms",
    ),
)
