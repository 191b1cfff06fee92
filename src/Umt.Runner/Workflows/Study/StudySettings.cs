using System.Globalization;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// The study's budget, the same for every method: seeds, optimizer steps, batch, how often the
/// student is probed, and the sizes of the probe and mechanism sets.
/// </summary>
/// <param name="Preset">Which preset these settings started from.</param>
/// <param name="Seeds">Seeds per method (<c>Umt:Run:Seed</c> 0 … Seeds−1; the data stays the same).</param>
/// <param name="Steps">Optimizer steps of every run.</param>
/// <param name="ProbeEvery">A checkpoint, probed, every this many steps (and at the end).</param>
/// <param name="BatchSize">Clips per step.</param>
/// <param name="ProbeTrain">Clips of the synthetic train split the probes are fitted on.</param>
/// <param name="ProbeTest">Clips of the held-out split the probes are scored on.</param>
/// <param name="MechanismClips">Clips with a small object the mechanism check measures, per masking and seed.</param>
/// <param name="Neighbours">k of the k-NN probe.</param>
/// <param name="Supervised">Whether the supervised references are trained (one run per label set, each costing more per step than the baseline).</param>
/// <param name="SupervisedSeeds">
/// The seeds the supervised references are trained for (seed 0 … n−1); null: every seed. A
/// reference row says what the student can learn at all; at the <c>long</c> budget one seed of it
/// costs as much as two seeds of the baseline (docs/DECISIONS.md, 2026-12-07).
/// </param>
/// <param name="BaselineNormalizedTarget">
/// The baseline's pixel target: per-cube normalised as the VideoMAE reference (<c>normlize_target</c>),
/// or raw pixels (docs/DECISIONS.md, issue 20: on SyntheticActions the normalised target of a flat
/// cube is its noise).
/// </param>
public sealed record StudySettings(string Preset, int Seeds, int Steps, int ProbeEvery, int BatchSize, int ProbeTrain, int ProbeTest, int MechanismClips, int Neighbours,
    bool Supervised = true, bool BaselineNormalizedTarget = true, int? SupervisedSeeds = null)
{
    /// <summary>
    /// The default study: two seeds of the embedded run's own budget (plugins.json: 200 steps of 16
    /// clips, a checkpoint every 50): under an hour on two CPU cores (one seed took 27 minutes on a
    /// lightly shared machine, 2026-11-27).
    /// </summary>
    public static readonly StudySettings Full = new("full", Seeds: 2, Steps: 200, ProbeEvery: 50, BatchSize: 16, ProbeTrain: 512, ProbeTest: 256, MechanismClips: 128, Neighbours: 20);

    /// <summary>
    /// <c>--quick</c>: one seed and short runs, a few minutes, for CI. Without the supervised
    /// references: their two runs on every token would cost more than the four methods together
    /// (FLOPs per step: 190 G against the baseline's 143 G and UMT's 50 G) and break its 8 minutes.
    /// </summary>
    public static readonly StudySettings Quick = new("quick", Seeds: 1, Steps: 60, ProbeEvery: 20, BatchSize: 16, ProbeTrain: 256, ProbeTest: 128, MechanismClips: 32, Neighbours: 10, Supervised: false);

    /// <summary>The test's size: every code path in well under a minute, numbers without meaning.</summary>
    public static readonly StudySettings Smoke = new("smoke", Seeds: 1, Steps: 2, ProbeEvery: 2, BatchSize: 2, ProbeTrain: 24, ProbeTest: 12, MechanismClips: 2, Neighbours: 5);

    /// <summary>
    /// Issue 20's study: three seeds of five times the embedded budget (1000 steps of 16 clips, a
    /// probe every 100), the baseline on raw pixels (see <see cref="BaselineNormalizedTarget"/>),
    /// the supervised references of seed 0. About 1.5 hours per seed on two idle cores, and 1.2 more
    /// for the supervised references (README, "The study").
    /// </summary>
    public static readonly StudySettings Long = new("long", Seeds: 3, Steps: 1000, ProbeEvery: 100, BatchSize: 16, ProbeTrain: 512, ProbeTest: 256, MechanismClips: 128, Neighbours: 20,
        BaselineNormalizedTarget: false, SupervisedSeeds: 1);

    public static IReadOnlyList<StudySettings> Presets { get; } = [Full, Long, Quick, Smoke];

    /// <summary>"Steps: 200 here, 400 there" for every setting that differs from <paramref name="other"/>.</summary>
    public IReadOnlyList<string> DifferencesFrom(StudySettings other) =>
    [
        .. new (string Name, object Here, object There)[]
        {
            (nameof(Preset), Preset, other.Preset), (nameof(Seeds), Seeds, other.Seeds), (nameof(Steps), Steps, other.Steps),
            (nameof(ProbeEvery), ProbeEvery, other.ProbeEvery), (nameof(BatchSize), BatchSize, other.BatchSize), (nameof(ProbeTrain), ProbeTrain, other.ProbeTrain),
            (nameof(ProbeTest), ProbeTest, other.ProbeTest), (nameof(MechanismClips), MechanismClips, other.MechanismClips), (nameof(Neighbours), Neighbours, other.Neighbours),
            (nameof(Supervised), Supervised, other.Supervised), (nameof(BaselineNormalizedTarget), BaselineNormalizedTarget, other.BaselineNormalizedTarget),
            (nameof(SupervisedSeeds), SupervisedSeeds?.ToString(CultureInfo.InvariantCulture) ?? "every seed", other.SupervisedSeeds?.ToString(CultureInfo.InvariantCulture) ?? "every seed"),
        }.Where(d => !Equals(d.Here, d.There)).Select(d => $"{d.Name}: {d.Here} here, {d.There} in the folder's study"),
    ];

    /// <summary>Probed checkpoints per run: every <see cref="ProbeEvery"/> steps and the last.</summary>
    public int ProbePoints => (Steps + ProbeEvery - 1) / ProbeEvery;

    /// <summary>
    /// Checkpoints kept: every probe point must survive until it is probed after training, and one
    /// more for the off-grid checkpoint an interrupted sitting writes (its run resumes from it).
    /// </summary>
    public int KeptCheckpoints => ProbePoints + 1;

    /// <summary>How many seeds (0 … n−1) the supervised references are trained for: none without them.</summary>
    public int SupervisedSeedCount => Supervised ? Math.Min(SupervisedSeeds ?? Seeds, Seeds) : 0;

    /// <summary>Warm-up steps of every run: the embedded run's 10 %.</summary>
    public int WarmupSteps => Math.Max(1, Steps / 10);

    /// <summary>Throws when the settings cannot describe a study.</summary>
    public StudySettings Validated()
    {
        if (Seeds < 1 || Steps < 1 || ProbeEvery < 1 || BatchSize < 1 || ProbeTrain < 2 || ProbeTest < 1 || MechanismClips < 1 || Neighbours < 1 || SupervisedSeeds < 1)
        {
            throw new ArgumentException($"Every study setting must be positive (and --probe-train at least 2): {this}.");
        }
        return this;
    }

    /// <summary>The run keys that give every method the same budget.</summary>
    public RunOverrides Budget(long seed) =>
        new RunOverrides()
            .Seed(seed)
            .Steps(Steps, warmup: WarmupSteps)
            .BatchSize(BatchSize)
            .Checkpoints(every: ProbeEvery, keep: KeptCheckpoints)
            .LogEvery(Math.Max(1, Math.Min(10, Steps / 4)));
}
