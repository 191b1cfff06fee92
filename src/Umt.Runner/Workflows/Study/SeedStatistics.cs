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
    /// Whether <c>a − b</c> exceeds the seed spread: |mean difference| &gt; spread(a) + spread(b), a
    /// deliberately plain rule (the two one-sigma bands do not touch); null when either side has one
    /// seed and so no spread to compare with.
    /// </summary>
    public static bool? ExceedsSpread(MeanSpread a, MeanSpread b) =>
        a.Spread is { } sa && b.Spread is { } sb ? Math.Abs(a.Mean - b.Mean) > sa + sb : null;
}
