using System.Globalization;
using System.Text;
using Umt.Plugins.Datasets.Manifests;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// Reads an AVA label map in protobuf text form: the full <c>ava_action_list_v2.2.pbtxt</c>
/// (<c>item { name: "..." id: N label_type: PERSON_MOVEMENT }</c>) or the 60-class
/// <c>ava_action_list_v2.2_for_activitynet_2019.pbtxt</c> (<c>item { name: "..." id: N }</c>).
/// The official evaluation reads it line by line; this reads the text format's tokens, so an item
/// on one line or fields in any order parse too, and anything else is an error naming the file
/// and line instead of a silently shorter class list.
/// </summary>
public static class AvaLabelMap
{
    public static IReadOnlyList<AvaLabel> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using StreamReader reader = File.OpenText(path);
        return Parse(reader.ReadToEnd(), path);
    }

    /// <summary>Writes <paramref name="labels"/> as the 60-class file is written: <c>item { name: "..." id: N }</c>, one field per line.</summary>
    public static void Write(string path, IEnumerable<AvaLabel> labels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(labels);
        var text = new StringBuilder();
        foreach (AvaLabel label in labels)
        {
            string name = label.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"item {{\n  name: \"{name}\"\n  id: {label.Id}\n}}\n");
        }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>Parses label map text; <paramref name="source"/> names it in messages.</summary>
    public static IReadOnlyList<AvaLabel> Parse(string text, string source)
    {
        var tokens = new Tokens(text, source);
        var labels = new List<AvaLabel>();
        while (tokens.Next() is { } item)
        {
            tokens.Expect(item, "item");
            tokens.Expect(tokens.Next(), "{");
            string? name = null;
            int? id = null;
            int itemLine = item.Line;
            for (Token? field = tokens.Next(); field?.Text != "}"; field = tokens.Next())
            {
                if (field is null)
                {
                    throw tokens.Bad(itemLine, "the item is not closed with '}'");
                }
                tokens.Expect(tokens.Next(), ":");
                Token value = tokens.Next() ?? throw tokens.Bad(field.Line, $"'{field.Text}' has no value");
                switch (field.Text)
                {
                    case "name" when value.Quoted:
                        name = value.Text;
                        break;
                    case "id" or "label_id":
                        id = int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed >= 1 && !value.Quoted
                            ? parsed
                            : throw tokens.Bad(value.Line, $"{field.Text} '{Echo.Bounded(value.Text)}' is not a positive integer");
                        break;
                    case "name":
                        throw tokens.Bad(value.Line, "name must be a quoted string");
                    default:
                        break; // label_type, display_name: not used by the evaluation
                }
            }
            labels.Add(new AvaLabel(
                id ?? throw tokens.Bad(itemLine, "the item has no id"),
                name ?? throw tokens.Bad(itemLine, "the item has no name")));
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"The label map '{Echo.Bounded(source)}' has no items.");
        }
        var repeated = labels.GroupBy(l => l.Id).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? labels : throw new InvalidDataException($"The label map '{Echo.Bounded(source)}' gives id {repeated.Key} to more than one item.");
    }

    private sealed record Token(string Text, bool Quoted, int Line);

    /// <summary>The text format's tokens: words, quoted strings, <c>{ } :</c>; <c>#</c> comments and whitespace skipped.</summary>
    private sealed class Tokens(string text, string source)
    {
        private int _at;
        private int _line = 1;

        public InvalidDataException Bad(int line, string why) => new($"{Echo.Bounded(source)}:{line}: {why}.");

        public void Expect(Token? token, string text)
        {
            if (token is null || token.Quoted || token.Text != text)
            {
                throw Bad(token?.Line ?? _line, $"expected '{text}', found {(token is null ? "the end of the file" : $"'{Echo.Bounded(token.Text)}'")}");
            }
        }

        public Token? Next()
        {
            SkipBlank();
            if (_at >= text.Length)
            {
                return null;
            }
            char c = text[_at];
            if (c is '{' or '}' or ':')
            {
                _at++;
                return new Token(c.ToString(), false, _line);
            }
            return c == '"' ? Quoted() : Word();
        }

        private void SkipBlank()
        {
            while (_at < text.Length)
            {
                char c = text[_at];
                if (c == '#')
                {
                    while (_at < text.Length && text[_at] != '\n')
                    {
                        _at++;
                    }
                }
                else if (char.IsWhiteSpace(c))
                {
                    _line += c == '\n' ? 1 : 0;
                    _at++;
                }
                else
                {
                    return;
                }
            }
        }

        private Token Quoted()
        {
            int line = _line;
            var value = new StringBuilder();
            for (_at++; _at < text.Length && text[_at] != '"'; _at++)
            {
                if (text[_at] == '\n')
                {
                    break;
                }
                // A backslash escapes the next character (\" inside a name), as the text format allows.
                value.Append(text[_at] == '\\' && _at + 1 < text.Length ? text[++_at] : text[_at]);
            }
            if (_at >= text.Length || text[_at] != '"')
            {
                throw Bad(line, "a quoted string is not closed");
            }
            _at++;
            return new Token(value.ToString(), true, line);
        }

        private Token Word()
        {
            int start = _at;
            while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && text[_at] is not ('{' or '}' or ':' or '"' or '#'))
            {
                _at++;
            }
            return new Token(text[start.._at], false, _line);
        }
    }
}
