using System.Globalization;
using System.Text.Json;
using Umt.Abstractions.Composition;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt plugins</c>: every discovered plugin by kind, with its description and options with
/// defaults, and every broken one with its reason (kind <c>unknown</c> for an assembly that could
/// not be read).
/// </summary>
public static class PluginsCommand
{
    public sealed record OptionInfo(string Name, string Type, object? Default, string? Description);

    /// <param name="Name">Null for an assembly that could not be read.</param>
    /// <param name="Broken">Why the plugin cannot be used; null for a working one.</param>
    public sealed record PluginInfo(string Kind, string? Name, string Description, string Assembly, string ConfigPath, IReadOnlyList<OptionInfo> Options, string? Broken = null);

    private const string UnknownKind = "unknown";

    public static IReadOnlyList<PluginInfo> Describe(PluginCatalog catalog)
    {
        var plugins = new List<PluginInfo>();
        foreach (var kind in Enum.GetValues<PluginKind>())
        {
            if (kind == PluginKind.Teacher)
            {
                plugins.Add(new PluginInfo("teacher", RunPlanner.NoTeacher, "No teacher: the VideoMAE baseline (objectives that need a teacher refuse it).", "(built in)", "Umt:Teacher:Use", []));
            }
            if (kind == PluginKind.TextEncoder)
            {
                plugins.Add(new PluginInfo(kind.Name(), RunPlanner.NoTeacher, "No text encoder (stage 1); the default when Umt:TextEncoder:Use is absent.", "(built in)", "Umt:TextEncoder:Use", []));
            }
            foreach (var entry in catalog.Of(kind))
            {
                string path = kind == PluginKind.Objective ? $"Umt:Objectives:{entry.Name}:Options" : $"Umt:{kind.Section()}:Options:{entry.Name}";
                plugins.Add(new PluginInfo(kind.Name(), entry.Name, entry.Description, entry.AssemblyName, path, Options(entry.Factory.OptionsType)));
            }
        }
        plugins.AddRange(catalog.Broken.Select(b => new PluginInfo(b.Kind?.Name() ?? UnknownKind, b.Name, "", b.AssemblyPath, "", [], b.Reason)));
        return plugins;
    }

    public static int Run(PluginCatalog catalog, bool json, TextWriter output)
    {
        var plugins = Describe(catalog);
        if (json)
        {
            CliJson.Write(output, plugins);
            return ExitCodes.Success;
        }
        foreach (var group in plugins.GroupBy(p => p.Kind))
        {
            output.WriteLine($"{group.Key}:");
            foreach (var plugin in group)
            {
                if (plugin.Broken is not null)
                {
                    output.WriteLine($"  {plugin.Name ?? "?",-16} BROKEN, selecting it is an error: {plugin.Broken}  [{plugin.Assembly}]");
                    continue;
                }
                output.WriteLine($"  {plugin.Name,-16} {plugin.Description}  [{plugin.Assembly}]");
                foreach (var option in plugin.Options)
                {
                    output.WriteLine($"      {plugin.ConfigPath}:{option.Name} = {Show(option.Default)} ({option.Type}){(option.Description is null ? "" : " — " + option.Description)}");
                }
            }
        }
        return ExitCodes.Success;
    }

    private static IReadOnlyList<OptionInfo> Options(Type optionsType)
    {
        object defaults = Activator.CreateInstance(optionsType)!;
        return StrictOptionsBinder.Settable(optionsType)
            .Select(p => new OptionInfo(p.Name, TypeName(p.PropertyType), p.GetValue(defaults), XmlDocumentation.Summary(p)))
            .ToList();
    }

    private static string TypeName(Type type) => Nullable.GetUnderlyingType(type) is { } inner ? TypeName(inner) + "?" : type.Name switch
    {
        "Int32" or "Int64" => "integer",
        "Double" or "Single" => "number",
        "Boolean" => "bool",
        "String" => "string",
        _ => type.Name,
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value),
    };
}
