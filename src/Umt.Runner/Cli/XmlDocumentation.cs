using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Umt.Runner.Cli;

/// <summary>
/// Reads the <c>&lt;summary&gt;</c> of a property from the XML documentation file the SDK writes
/// beside each assembly, so an options class's doc comments are also its <c>umt plugins</c> help.
/// </summary>
public static partial class XmlDocumentation
{
    private static readonly Dictionary<Assembly, XDocument?> Cache = [];

    public static string? Summary(PropertyInfo property)
    {
        var document = Load(property.DeclaringType!.Assembly);
        string id = $"P:{property.DeclaringType.FullName!.Replace('+', '.')}.{property.Name}";
        var member = document?.Root?.Element("members")?.Elements("member").FirstOrDefault(m => (string?)m.Attribute("name") == id);
        var summary = member?.Element("summary");
        if (summary is null)
        {
            return null;
        }
        string text = string.Concat(summary.Nodes().Select(n => n is XElement e ? Inline(e) : n.ToString()));
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary><c>&lt;see cref="P:A.B.Options.Ratio"/&gt;</c> reads as "Ratio"; other inline elements as their text.</summary>
    private static string Inline(XElement element) =>
        (string?)element.Attribute("cref") is { } cref ? cref[(cref.LastIndexOf('.') + 1)..]
        : (string?)element.Attribute("langword") ?? element.Value;

    private static XDocument? Load(Assembly assembly)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(assembly, out var document))
            {
                string path = Path.ChangeExtension(assembly.Location, ".xml");
                document = File.Exists(path) ? XDocument.Load(path) : null;
                Cache[assembly] = document;
            }
            return document;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
