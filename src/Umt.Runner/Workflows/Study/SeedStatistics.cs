namespace Umt.Runner.Workflows.Study;

/// <summary>A quantity over seeds: its mean, and its spread when there are at least two seeds.</summary>
/// <param name="Spread">Sample standard deviation over the seeds (n − 1 in the denominator); null with one seed, where no spread can be measured.</param>
/// <param name="Seeds">How many seeds the mean is over.</param>
public sealed record MeanSpread(double Mean, double? Spread, int Seeds);

/// <summary>Mean ± spread over seeds, and the rule the report uses to call a difference real.</summary>
public static class SeedStatistics
{
    public static MeanSpread Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A mean over seeds needs at least one seed.", nameof(values));
        }
        double mean = values.Average();
        double? spread = values.Count < 2 ? null : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanSpread(mean, spread, values.Count);
    }

    /// <summary>
    /// spread(a) + spread(b). A side with one seed is given the other side's spread (a single run is
    /// taken to vary across seeds as much as the runs it is compared with: the study's supervised
    /// references run for fewer seeds than the methods); null when neither side has two seeds.
    /// </summary>
    public static double? SpreadSum(MeanSpread a, MeanSpread b) => (a.Spread ?? b.Spread) + (b.Spread ?? a.Spread);

    /// <summary>Whether one side's spread in <see cref="SpreadSum"/> is the other's.</summary>
    public static bool SpreadBorrowed(MeanSpread a, MeanSpread b) => (a.Spread is null) != (b.Spread is null);

    /// <summary>
    /// Whether <c>a − b</c> exceeds the seed spread: |mean difference| &gt; <see cref="SpreadSum"/>,
    /// a deliberately plain rule (the two one-sigma bands do not touch); null when neither side has
    /// a spread to compare with.
    /// </summary>
    public static bool? ExceedsSpread(MeanSpread a, MeanSpread b) =>
        SpreadSum(a, b) is { } sum ? Math.Abs(a.Mean - b.Mean) > sum : null;

    /// <summary>The difference <c>a − b</c> of one label set's linear top-1, judged against the spread.</summary>
    public static Difference Compare(string run, MeanSpread a, string other, MeanSpread b, string labelSet) =>
        new(run, other, labelSet, a.Mean - b.Mean, SpreadSum(a, b), ExceedsSpread(a, b), SpreadBorrowed(a, b));
}
