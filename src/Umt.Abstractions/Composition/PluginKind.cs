namespace Umt.Abstractions.Composition;

/// <summary>The plugin kinds of architecture.md, each with its configuration section.</summary>
public enum PluginKind
{
    Masking,
    Teacher,
    Objective,
    Dataset,
}

public static class PluginKindExtensions
{
    /// <summary>Configuration section of the kind under <c>Umt</c> (<c>Umt:Masking</c>, <c>Umt:Objectives</c>).</summary>
    public static string Section(this PluginKind kind) => kind switch
    {
        PluginKind.Masking => "Masking",
        PluginKind.Teacher => "Teacher",
        PluginKind.Objective => "Objectives",
        PluginKind.Dataset => "Dataset",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Human name used in messages ("masking strategy", "teacher").</summary>
    public static string Noun(this PluginKind kind) => kind switch
    {
        PluginKind.Masking => "masking strategy",
        PluginKind.Teacher => "teacher",
        PluginKind.Objective => "objective",
        PluginKind.Dataset => "dataset",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
