using System.Globalization;
using System.Text;
using Umt.Plugins.Datasets.Manifests;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// Reads AVA v2.2's CSV files (no header): annotations (<c>ava_train_v2.2.csv</c>,
/// <c>ava_val_v2.2.csv</c>: video id, timestamp, x1, y1, x2, y2, action id, person id), detections
/// (the same first seven columns and a score last) and the excluded timestamps (video id,
/// timestamp); writes the first two. A malformed row throws <see cref="InvalidDataException"/> naming the file and
/// line: an evaluation over silently dropped rows would report a wrong mAP.
/// </summary>
public static class AvaCsv
{
    /// <summary>Annotation rows: 8 columns, or 7 (person id left out, as some tools write them).</summary>
    public static IReadOnlyList<AvaBox> ReadAnnotations(string path) =>
        Read(path, [7, 8], "video_id,timestamp,x1,y1,x2,y2,action_id[,person_id]",
            (fields, row) => row.Box(fields, row.Action(fields[6]), personId: fields.Count == 8 ? row.Int(fields[7], "person_id") : null, score: 1.0));

    /// <summary>Detection rows: 8 columns, the score last.</summary>
    public static IReadOnlyList<AvaBox> ReadDetections(string path) =>
        Read(path, [8], "video_id,timestamp,x1,y1,x2,y2,action_id,score",
            (fields, row) => row.Box(fields, row.Action(fields[6]), personId: null, score: row.Finite(fields[7], "score")));

    /// <summary>
    /// A person detector's boxes (the boxes action detection classifies at test time): 8 columns, the
    /// score last; the action column is ignored (person detectors leave it empty or write a placeholder).
    /// </summary>
    public static IReadOnlyList<AvaBox> ReadPersonDetections(string path) =>
        Read(path, [8], "video_id,timestamp,x1,y1,x2,y2,[action_id],score",
            (fields, row) => row.Box(fields, action: 0, personId: null, score: row.Finite(fields[7], "score")));

    /// <summary>Excluded timestamps (<c>ava_val_excluded_timestamps_v2.2.csv</c>): key frames left out of both sides of the evaluation.</summary>
    public static IReadOnlySet<AvaKeyFrame> ReadExclusions(string path) =>
        Read(path, [2], "video_id,timestamp", (fields, row) => row.KeyFrame(fields)).ToHashSet();

    /// <summary>
    /// Writes rows in the files' own form (no header): annotations with the person id last, detections
    /// (no person id) with the score last. Coordinates with 3 decimals, as Google's files; scores with 6.
    /// </summary>
    public static void Write(string path, IEnumerable<AvaBox> boxes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(boxes);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        foreach (AvaBox b in boxes)
        {
            string last = b.PersonId is { } person ? person.ToString(CultureInfo.InvariantCulture) : b.Score.ToString("F6", CultureInfo.InvariantCulture);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{b.KeyFrame.VideoId},{b.KeyFrame.Timestamp:D4},{b.X1:F3},{b.Y1:F3},{b.X2:F3},{b.Y2:F3},{b.ActionId},{last}\n"));
        }
    }

    private static List<T> Read<T>(string path, int[] widths, string layout, Func<IReadOnlyList<string>, Row, T> parse)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using StreamReader reader = File.OpenText(path);
        var rows = new List<T>();
        foreach (CsvRecord record in CsvRecords.Read(reader))
        {
            var row = new Row(path, record.Line);
            if (record.Error is not null)
            {
                throw row.Bad(record.Error);
            }
            var fields = record.Fields.Select(f => f.Trim()).ToArray();
            if (!widths.Contains(fields.Length))
            {
                throw row.Bad($"{fields.Length} columns, expected {layout}");
            }
            rows.Add(parse(fields, row));
        }
        return rows;
    }

    /// <summary>Field parsing of one row, every error naming the file and line.</summary>
    private readonly record struct Row(string Path, int Line)
    {
        public InvalidDataException Bad(string why) => new($"{Echo.Bounded(Path)}:{Line}: {why}.");

        public AvaKeyFrame KeyFrame(IReadOnlyList<string> fields) =>
            fields[0].Length == 0 ? throw Bad("the video id is empty") : new AvaKeyFrame(fields[0], Int(fields[1], "timestamp"));

        public AvaBox Box(IReadOnlyList<string> fields, int action, int? personId, double score) =>
            new(KeyFrame(fields), Finite(fields[2], "x1"), Finite(fields[3], "y1"), Finite(fields[4], "x2"), Finite(fields[5], "y2"), action, personId, score, Line);

        public int Action(string text)
        {
            int action = Int(text, "action_id");
            return action < 1 ? throw Bad($"action_id {action} is not a label map id (1 or more)") : action;
        }

        public int Int(string text, string column) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Bad($"{column} '{Echo.Bounded(text)}' is not an integer");

        public double Finite(string text, string column) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                ? value
                : throw Bad($"{column} '{Echo.Bounded(text)}' is not a finite number");
    }
}
