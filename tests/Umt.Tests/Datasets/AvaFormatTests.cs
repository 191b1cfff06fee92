using System.Diagnostics;
using Umt.Plugins.Datasets.Ava;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets;

/// <summary>AVA v2.2's files, hand-written in the official layout: annotations, detections, label maps, excluded timestamps.</summary>
public sealed class AvaFormatTests(ITestOutputHelper log)
{
    [Fact]
    public void Annotation_and_detection_rows_parse_and_group_per_key_frame()
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TemporaryDirectory();
        // ava_val_v2.2.csv: no header; one row per (box, action); the same person's second action repeats the box.
        string truth = Write(dir, "ava_val_v2.2.csv",
            "-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,80,1\n" +
            "-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,9,1\n" +
            "\n" +
            "-5KQ66BBWC4,0903,0.226,0.032,0.366,0.497,12,0\n" +
            "-5KQ66BBWC4,0902,0.332,0.194,0.481,0.891,17,2\n");
        var rows = AvaCsv.ReadAnnotations(truth);
        rows.Should().HaveCount(4);
        rows[0].Should().Be(new AvaBox(new AvaKeyFrame("-5KQ66BBWC4", 902), 0.077, 0.151, 0.283, 0.811, 80, 1, 1.0, 1));
        rows[2].Line.Should().Be(4, "the blank line counts");
        var frames = AvaKeyFrames.Group(rows);
        frames.Select(f => f.Key.ToString()).Should().Equal("-5KQ66BBWC4,0902", "-5KQ66BBWC4,0903");
        frames[new AvaKeyFrame("-5KQ66BBWC4", 902)].Select(b => b.ActionId).Should().Equal(80, 9, 17);

        string detections = Write(dir, "detections.csv", "-5KQ66BBWC4,902,0.07,0.15,0.28,0.8,80,0.625\n");
        AvaCsv.ReadDetections(detections).Single().Should().Be(new AvaBox(new AvaKeyFrame("-5KQ66BBWC4", 902), 0.07, 0.15, 0.28, 0.8, 80, null, 0.625, 1));
        AvaCsv.ReadExclusions(Write(dir, "excluded.csv", "-5KQ66BBWC4,0903\n1j20qq1JyX4,0902\n"))
            .Should().BeEquivalentTo([new AvaKeyFrame("-5KQ66BBWC4", 903), new AvaKeyFrame("1j20qq1JyX4", 902)]);
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s");
    }

    [Theory]
    [InlineData("vid,0902,0.1,0.1,0.5,0.5,12,1\nvid,0903,0.1,0.1,0.5,0.5,twelve,1\n", "a.csv:2: action_id 'twelve' is not an integer")]
    [InlineData("vid,0902,0.1,0.1,0.5\n", "a.csv:1: 5 columns, expected video_id,timestamp,x1,y1,x2,y2,action_id[,person_id]")]
    [InlineData("vid,0902,0.1,nan,0.5,0.5,12,1\n", "a.csv:1: y1 'nan' is not a finite number")]
    [InlineData("vid,09.5,0.1,0.1,0.5,0.5,12,1\n", "a.csv:1: timestamp '09.5' is not an integer")]
    [InlineData("vid,0902,0.1,0.1,0.5,0.5,0,1\n", "a.csv:1: action_id 0 is not a label map id (1 or more)")]
    public void A_malformed_annotation_row_is_an_error_naming_the_file_and_line(string text, string message)
    {
        using var dir = new TemporaryDirectory();
        var read = () => AvaCsv.ReadAnnotations(Write(dir, "a.csv", text));
        read.Should().Throw<InvalidDataException>().Which.Message.Should().EndWith(message + ".");
    }

    [Fact]
    public void Detections_need_the_score_column()
    {
        using var dir = new TemporaryDirectory();
        var read = () => AvaCsv.ReadDetections(Write(dir, "d.csv", "vid,0902,0.1,0.1,0.5,0.5,12\n"));
        read.Should().Throw<InvalidDataException>().Which.Message.Should().Contain("d.csv:1: 7 columns, expected video_id,timestamp,x1,y1,x2,y2,action_id,score");
    }

    [Fact]
    public void Both_label_map_forms_parse_and_broken_ones_name_the_line()
    {
        // ava_action_list_v2.2.pbtxt (with label_type) and the 60-class ..._for_activitynet_2019.pbtxt (without).
        const string Full = "item {\n  name: \"bend/bow (at the waist)\"\n  id: 1\n  label_type: PERSON_MOVEMENT\n}\nitem {\n  name: \"crawl\"\n  id: 2\n  label_type: PERSON_MOVEMENT\n}\n";
        const string Subset = "item {\n  name: \"bend/bow (at the waist)\"\n  id: 1\n}\nitem {\n  name: \"carry/hold (an object)\"\n  id: 17\n}\n# one line works too\nitem { name: \"talk to (e.g., self, a person, a group)\" id: 79 }\n";
        AvaLabelMap.Parse(Full, "full.pbtxt").Should().Equal(new AvaLabel(1, "bend/bow (at the waist)"), new AvaLabel(2, "crawl"));
        AvaLabelMap.Parse(Subset, "subset.pbtxt").Select(l => l.Id).Should().Equal(1, 17, 79);
        AvaLabelMap.Parse(Subset, "subset.pbtxt")[2].Name.Should().Be("talk to (e.g., self, a person, a group)");

        Action missingId = () => AvaLabelMap.Parse("item {\n  name: \"x\"\n}\n\nitem {\n  name: \"y\"\n  id: 2\n}\n", "m.pbtxt");
        missingId.Should().Throw<InvalidDataException>().WithMessage("m.pbtxt:1: the item has no id.");
        Action badId = () => AvaLabelMap.Parse("item {\n  name: \"x\"\n  id: x1\n}\n", "m.pbtxt");
        badId.Should().Throw<InvalidDataException>().WithMessage("m.pbtxt:3: id 'x1' is not a positive integer.");
        Action unclosed = () => AvaLabelMap.Parse("item {\n  name: \"x\n  id: 1\n}\n", "m.pbtxt");
        unclosed.Should().Throw<InvalidDataException>().WithMessage("m.pbtxt:2: a quoted string is not closed.");
        Action repeated = () => AvaLabelMap.Parse("item { name: \"x\" id: 3 }\nitem { name: \"y\" id: 3 }\n", "m.pbtxt");
        repeated.Should().Throw<InvalidDataException>().WithMessage("*gives id 3 to more than one item*");
    }

    private static string Write(TemporaryDirectory dir, string name, string text)
    {
        string path = dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }
}
