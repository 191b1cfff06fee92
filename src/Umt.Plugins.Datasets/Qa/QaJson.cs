using System.Text.Json;
using Umt.Plugins.Datasets.Manifests;

namespace Umt.Plugins.Datasets.Qa;

/// <summary>
/// Readers of the reference's question-answering annotation JSON (multi_modality dataset/__init__.py
/// <c>qa_train</c>/<c>qa_eval</c>/<c>mc_test</c>): the multiple-choice form
/// <c>[{"video", "caption": [..], "answer": i}]</c>, the open-ended form
/// <c>[{"video", "question", "answer": "..." or [..], "question_id"}]</c> and the answer list
/// <c>["..", ..]</c>. Unlike the caption manifests, a QA file is read whole or not at all: a
/// malformed element would silently change the accuracy's denominator, so it is an
/// <see cref="InvalidDataException"/> naming the file and the element.
/// </summary>
public static class QaJson
{
    /// <exception cref="InvalidDataException">The file is not such a list, or an element is malformed (named).</exception>
    public static IReadOnlyList<MultipleChoiceQuestion> ReadMultipleChoice(string path) =>
        Elements(path, "multiple-choice QA JSON", (element, entry, fail) =>
        {
            string video = RequiredString(element, "video", fail);
            if (!element.TryGetProperty("caption", out var captions) || captions.ValueKind != JsonValueKind.Array)
            {
                throw fail("field 'caption' must be a list of candidate texts");
            }
            var candidates = captions.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(c.GetString())
                ? CaptionText.Clean(c.GetString()!)
                : throw fail("field 'caption' holds a value that is not a non-empty string")).ToArray();
            if (candidates.Length < 2)
            {
                throw fail($"field 'caption' has {candidates.Length} candidate(s); a multiple-choice question needs at least 2");
            }
            if (!element.TryGetProperty("answer", out var answer) || answer.ValueKind != JsonValueKind.Number || !answer.TryGetInt32(out int index))
            {
                throw fail("field 'answer' must be the integer index of the right candidate");
            }
            if (index < 0 || index >= candidates.Length)
            {
                throw fail($"field 'answer' is {index}, outside the {candidates.Length} candidates (0-based)");
            }
            return new MultipleChoiceQuestion(entry, video, candidates, index);
        });

    /// <exception cref="InvalidDataException">The file is not such a list, or an element is malformed (named).</exception>
    public static IReadOnlyList<OpenEndedQuestion> ReadOpenEnded(string path)
    {
        var questions = Elements(path, "open-ended QA JSON", (element, entry, fail) =>
        {
            string video = RequiredString(element, "video", fail);
            string question = CaptionText.Clean(RequiredString(element, "question", fail));
            if (!element.TryGetProperty("answer", out var answer) || answer.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            {
                throw fail("field 'answer' must be a string or a list of strings");
            }
            string[] answers = answer.ValueKind == JsonValueKind.String
                ? [answer.GetString()!]
                : [.. answer.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString()! : throw fail("field 'answer' holds a value that is not a string"))];
            if (answers.Length == 0 || answers.Any(string.IsNullOrWhiteSpace))
            {
                throw fail("empty answer");
            }
            string id = element.TryGetProperty("question_id", out var qid) && qid.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (qid.ValueKind == JsonValueKind.String ? qid.GetString()! : qid.GetRawText())
                : entry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new OpenEndedQuestion(entry, video, question, answers, id);
        });
        var repeated = questions.GroupBy(q => q.QuestionId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidDataException($"{path}: entries {string.Join(" and ", repeated.Take(2).Select(q => q.Entry))} share question_id '{Echo.Bounded(repeated.Key)}'; predictions are keyed by it.");
        }
        return questions;
    }

    /// <summary>The answer list (<c>answer_list</c> of the reference's configs): distinct non-empty strings.</summary>
    /// <exception cref="InvalidDataException">The file is not a list of strings, or repeats one (named).</exception>
    public static IReadOnlyList<string> ReadAnswerList(string path)
    {
        var answers = Elements(path, "answer list JSON", (element, _, fail) =>
            element.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(element.GetString())
                ? element.GetString()!
                : throw fail($"a JSON {JsonInput.Describe(element.ValueKind)}, not a non-empty answer string"));
        if (answers.Count == 0)
        {
            throw new InvalidDataException($"{path}: the answer list is empty.");
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < answers.Count; i++)
        {
            if (!seen.TryAdd(answers[i], i + 1))
            {
                throw new InvalidDataException($"{path}: entry {i + 1}: the answer '{Echo.Bounded(answers[i])}' repeats entry {seen[answers[i]]}.");
            }
        }
        return answers;
    }

    private static IReadOnlyList<T> Elements<T>(string path, string what, Func<JsonElement, int, Func<string, InvalidDataException>, T> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such {what} file.", path);
        }
        using var reader = File.OpenText(path);
        JsonDocument document;
        try
        {
            document = JsonInput.Parse(reader, what, JsonValueKind.Array);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        using (document)
        {
            var items = new List<T>();
            int entry = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                entry++;
                int current = entry;
                items.Add(read(element, current, reason => new InvalidDataException($"{path}: entry {current}: {reason}: {Echo.Bounded(element.GetRawText())}")));
            }
            return items;
        }
    }

    private static string RequiredString(JsonElement element, string name, Func<string, InvalidDataException> fail)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw fail($"a JSON {JsonInput.Describe(element.ValueKind)}, not an object");
        }
        string? text = JsonInput.Text(element, name, out string? problem);
        return problem is not null ? throw fail(problem)
            : string.IsNullOrWhiteSpace(text) ? throw fail($"missing field '{name}'")
            : text;
    }
}
