"""One evolution run's settings, declared once: the tab's form, the CLI's options, the settings
file and the scene files all derive from :class:`EvolutionParams`."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError
from ..params import Params, param
from .encodings import ENCODINGS

ALGORITHMS = ("ga", "map-elites")
ALGORITHM_TITLES = {"ga": "Genetic algorithm (one class)", "map-elites": "MAP-Elites (many classes)"}
ENCODING_TITLES = {"direct": "Direct (the pixels)", "cppn": "CPPN (pattern network)"}
SELECTIONS = ("tournament", "truncation")
#: Images per generation when the population is left on "auto".
DEFAULT_POPULATION = {"ga": 24, "map-elites": 50}


def _me(p: "EvolutionParams") -> bool:
    return p.algorithm == "map-elites"


def _ga(p: "EvolutionParams") -> bool:
    return p.algorithm == "ga"


@dataclass(frozen=True)
class EvolutionParams(Params):
    """``mutation_rate`` is the fraction of pixels changed (direct) or the chance that each CPPN
    weight is perturbed (CPPN); ``None`` means the encoding's default. ``focus`` is the share of
    MAP-Elites' children spent climbing the most promising classes; 0 is the paper's MAP-Elites
    (every parent drawn uniformly from the archive)."""

    SCHEMA = "evolution"

    encoding: str = param("cppn", "Encoding", choices=tuple((e, ENCODING_TITLES[e]) for e in ENCODINGS),
                          help="direct: the genome is the pixels; cppn: a small pattern-producing network")
    algorithm: str = param("map-elites", "Algorithm", choices=tuple((a, ALGORITHM_TITLES[a]) for a in ALGORITHMS),
                           help="ga: one target class; map-elites: many classes at once")
    target: str = param("all", "Target", gui=False,
                        help="class name or index, several separated by commas, or “all”")
    population: int | None = param(None, "Population", minimum=2, maximum=5000, none_text="auto",
                                   help="images per generation (auto: 24 for the GA, 50 for MAP-Elites)")
    generations: int = param(2000, "Generations", minimum=1, maximum=10_000_000, help="most generations")
    max_queries: int | None = param(None, "Query budget", minimum=1, maximum=100_000_000,
                                    none_text="none", help="stop after this many images queried")
    stop_at: float | None = param(0.99, "Goal", unit="%", scale=100, minimum=0, exclusive_minimum=True,
                                  maximum=1, step=0.01, decimals=2, none_text="never",
                                  help="the probability a class's best image must reach")
    goal_classes: int | None = param(20, "Classes to reach it", minimum=1, maximum=100_000,
                                     none_text="all", applies=_me,
                                     help="end once this many targets (or all, if fewer) reach the goal")
    focus: float = param(0.8, "Focused share", unit="%", scale=100, minimum=0, maximum=1, step=0.05,
                         decimals=0, applies=_me,
                         help="share of children that climb the most promising classes "
                              "(0: the paper's MAP-Elites, parents drawn uniformly)")
    climb: str = param("step", "Climbing", choices=(("step", "1/5-rule step"),
                                                      ("es", "Evolution strategy")),
                       applies=lambda p: _me(p) and p.focus > 0,
                       help="how a focused class is climbed by mutation: a (1+λ) step whose size follows the "
                            "one-fifth success rule, or a (μ/μ_w, λ) evolution strategy on the CPPN weights")
    overlay: bool = param(True, "Overlay climb", applies=lambda p: _ga(p) or p.focus > 0,
                          help="a focused class (the GA: its best image from 90 %) is climbed with an 8×8 "
                               "colour overlay: blobs of colour kept when the class likes them, fainter ones "
                               "above 95 %; off: mutation only")
    multiscale: bool = param(False, "Several scales", applies=lambda p: p.encoding == "cppn",
                             help="CPPN inputs at three coordinate ranges on photo-sized models; "
                                  "off (default): one range, like the paper, which fooled more classes")
    elite: int = param(2, "Elites kept", minimum=0, maximum=1000, applies=_ga,
                       help="GA: best images kept unchanged")
    selection: str = param("tournament", "Selection", choices=(("tournament", "Tournament"),
                                                                ("truncation", "Truncation")),
                           applies=_ga, help="GA: how parents are chosen")
    tournament: int = param(3, "Tournament size", minimum=2, maximum=5000,
                            applies=lambda p: _ga(p) and p.selection == "tournament")
    truncation: float = param(0.25, "Truncation share", unit="%", scale=100, minimum=0, exclusive_minimum=True,
                              maximum=1, step=0.05, decimals=0,
                              applies=lambda p: _ga(p) and p.selection == "truncation")
    mutation_rate: float | None = param(None, "Mutation rate", unit="%", scale=100, minimum=0,
                                        exclusive_minimum=True, maximum=1, step=0.01, decimals=1,
                                        none_text="auto",
                                        help="direct: pixels changed (auto 10 %); cppn: chance per weight (auto 30 %)")
    mutation: str = param("polynomial", "Pixel mutation", choices=(("polynomial", "Polynomial (η = 15)"),
                                                                   ("gaussian", "Gaussian (σ = 0.15)")),
                          applies=lambda p: p.encoding == "direct",
                          help="direct encoding's pixel mutation")
    crossover_rate: float = param(0.2, "Crossover", unit="%", scale=100, minimum=0, maximum=1, step=0.05,
                                  decimals=0, help="chance a child has two parents")
    seed: int = param(0, "Seed", minimum=0, maximum=2**31 - 1, help="same seed, same run")
    batch_size: int | None = param(None, "Batch size", minimum=1, maximum=4096, none_text="auto", gui=False,
                                   help="images per forward pass (auto: 4 ImageNet images on a CPU)")
    engine: str = param("auto", "Engine", choices=(("auto", "ONNX Runtime where checked, else PyTorch"),
                                                    ("onnx", "ONNX Runtime (warns if it cannot)"),
                                                    ("torch", "PyTorch")), gui=False,
                        help="what computes the black box's answers: ONNX Runtime is checked against "
                             "PyTorch before use (probabilities within 1e-5); a seeded run repeats "
                             "exactly on the same engine")

    @property
    def population_size(self) -> int:
        return self.population or DEFAULT_POPULATION[self.algorithm]

    def check(self) -> None:
        pop = self.population_size
        if self.algorithm == "ga":
            spec = self.target.strip().lower()
            if spec == "all" or len([t for t in spec.split(",") if t.strip()]) > 1:
                raise UserError("the genetic algorithm evolves one target class; use MAP-Elites for several.")
            if self.elite >= pop:
                raise UserError("the elite count must be smaller than the population.")
            if self.selection == "tournament" and self.tournament > pop:
                raise UserError("the tournament size must be between 2 and the population size.")

    def check_targets(self, targets: list[int] | tuple[int, ...], num_classes: int) -> None:
        """The rules on an already-parsed list of class indices."""
        if not targets:
            raise UserError("choose at least one target class.")
        if len(set(targets)) != len(targets):
            raise UserError("a target class is listed twice.")
        if any(not 0 <= t < num_classes for t in targets):
            raise UserError(f"target classes must lie between 0 and {num_classes - 1}.")
        if self.algorithm == "ga" and len(targets) != 1:
            raise UserError("the genetic algorithm evolves one target class; use MAP-Elites for several.")

    def goal_count(self, n_targets: int) -> int:
        """How many targets must reach ``stop_at`` for the run to end."""
        if self.algorithm == "ga" or self.goal_classes is None:
            return n_targets
        return min(self.goal_classes, n_targets)
