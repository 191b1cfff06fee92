using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Class indices written as text. One rule for every format: an invariant-culture integer
/// (surrounding whitespace and a sign allowed, as Python's <c>int()</c> allows) that is not negative.
/// </summary>
internal static class ManifestLabel
{
    /// <summary>Whether <paramref name="text"/> is an integer at all (negative included): the "auto" separator test of <see cref="KineticsList"/>.</summary>
    public static bool IsInteger(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    public static bool TryParse(string text, out int label, [NotNullWhen(false)] out string? reason)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out label))
        {
            reason = $"label '{Echo.Bounded(text.Trim())}' is not an integer";
            return false;
        }
        if (label < 0)
        {
            reason = $"label '{label}' is negative";
            return false;
        }
        reason = null;
        return true;
    }
}
