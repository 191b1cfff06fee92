using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// The part of a run's configuration that determines the shapes of what a checkpoint holds: the
/// student (<c>Umt:Model</c>), the teacher's identity, the enabled objectives with their
/// options (heads), and in stage 2 the text encoder with its options and the joint-space width. <c>--resume</c> refuses to continue when any of it changed and names the keys;
/// what the run trains on and towards is checked next (<see cref="TrajectoryIdentity"/>).
/// </summary>
public static class ModelIdentity
{
    public static SortedDictionary<string, string> From(RunPlan plan)
    {
        var identity = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AddOptions(identity, "Umt:Model", plan.Model);
        identity["Umt:Teacher:Use"] = plan.Teacher?.Entry.Name ?? RunPlanner.NoTeacher;
        foreach (var objective in plan.Objectives)
        {
            identity[$"Umt:Objectives:{objective.Entry.Name}"] = "enabled";
            AddOptions(identity, objective.OptionsPath, objective.Options);
        }
        if (plan.TextEncoder is { } text)
        {
            identity["Umt:TextEncoder:Use"] = text.Entry.Name;
            AddOptions(identity, text.OptionsPath, text.Options);
            identity["Umt:Stage2:EmbedDim"] = plan.Stage2.EmbedDim.ToString(CultureInfo.InvariantCulture);
        }
        return identity;
    }

    public static string Hash(IReadOnlyDictionary<string, string> identity)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in identity.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Keys whose values differ between a checkpoint's identity and the current one, with both values.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> saved, IReadOnlyDictionary<string, string> current) =>
        saved.Keys.Union(current.Keys).Order(StringComparer.Ordinal)
            .Where(key => !saved.TryGetValue(key, out var a) | !current.TryGetValue(key, out var b) || a != b)
            .Select(key => $"{key}: checkpoint has {Show(saved, key)}, configuration has {Show(current, key)}")
            .ToList();

    private static string Show(IReadOnlyDictionary<string, string> identity, string key) =>
        identity.TryGetValue(key, out var value) ? $"'{value}'" : "nothing";

    /// <summary>Adds each settable property of <paramref name="options"/> as <c>path:Name</c>, except those <paramref name="skip"/> names.</summary>
    internal static void AddOptions(SortedDictionary<string, string> identity, string path, object options, IReadOnlySet<string>? skip = null)
    {
        foreach (var property in StrictOptionsBinder.Settable(options.GetType()).Where(p => skip?.Contains(p.Name) != true))
        {
            object? value = property.GetValue(options);
            identity[$"{path}:{property.Name}"] = value switch
            {
                null => "null",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                string s => s,
                _ => JsonSerializer.Serialize(value),
            };
        }
    }
}
