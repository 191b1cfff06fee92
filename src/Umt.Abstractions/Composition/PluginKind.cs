namespace Umt.Abstractions.Composition;

/// <summary>The plugin kinds of architecture.md, each with its configuration section.</summary>
public enum PluginKind
{
    Masking,
    Teacher,
    Objective,
    Dataset,
    TextEncoder,
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
        PluginKind.TextEncoder => "TextEncoder",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind's name in listings (<c>umt plugins</c>): lower kebab-case, <c>text-encoder</c>.</summary>
    public static string Name(this PluginKind kind) => kind == PluginKind.TextEncoder ? "text-encoder" : kind.ToString().ToLowerInvariant();

    /// <summary>Human name used in messages ("masking strategy", "teacher").</summary>
    public static string Noun(this PluginKind kind) => kind switch
    {
        PluginKind.Masking => "masking strategy",
        PluginKind.Teacher => "teacher",
        PluginKind.Objective => "objective",
        PluginKind.Dataset => "dataset",
        PluginKind.TextEncoder => "text encoder",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
