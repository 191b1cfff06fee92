using System.Text.RegularExpressions;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Tests.Datasets;

/// <summary>What a clip shows agrees with what its labels, caption and boxes say.</summary>
public sealed class SyntheticActionsContentTests
{
    private const int ClipsForCoverage = 300;

    [Theory]
    [InlineData(1, 64)]
    [InlineData(8, 64)]
    [InlineData(16, 112)]
    [InlineData(8, 224)]
    public void Sample_has_layout_3_T_H_W_and_one_box_per_frame(int frames, int side)
    {
        using var dataset = SyntheticDatasetHarness.Create(frames: frames, imageSize: side);

        var sample = dataset.Read(0, 0);

        sample.Pixels.Should().HaveCount(3 * frames * side * side);
        sample.Boxes.Should().HaveCount(4 * frames);
        // Channel-first: the per-channel mean after denormalisation is a plausible colour in each
        // plane only if channel c's plane really starts at c·T·H·W.
        for (int c = 0; c < 3; c++)
        {
            var plane = sample.Pixels.AsSpan(c * frames * side * side, frames * side * side).ToArray();
            double mean = plane.Average() * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
            mean.Should().BeInRange(0.1, 0.9);
        }
    }

    [Fact]
    public void Denormalised_pixels_lie_in_unit_range()
    {
        using var dataset = SyntheticDatasetHarness.Create(new SyntheticOptions { Noise = 0.2 });
        const int frames = 8, side = 64;

        for (long index = 0; index < 4; index++)
        {
            var pixels = dataset.Read(index, 0).Pixels;
            for (int c = 0; c < 3; c++)
            {
                float min = float.MaxValue, max = float.MinValue;
                for (int i = c * frames * side * side; i < (c + 1) * frames * side * side; i++)
                {
                    float value = pixels[i] * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                }
                min.Should().BeGreaterThanOrEqualTo(-1e-5f);
                max.Should().BeLessThanOrEqualTo(1 + 1e-5f);
                (max - min).Should().BeGreaterThan(0.5f, "strong noise plus saturated objects span most of the range");
            }
        }
    }

    [Fact]
    public void Labels_are_in_range_and_cover_every_class()
    {
        // Frames are not part of a clip's key, so one-frame clips carry the same labels, 8× cheaper.
        using var dataset = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = ClipsForCoverage }, frames: 1);

        var motions = new HashSet<int>();
        var appearances = new HashSet<int>();
        for (long index = 0; index < ClipsForCoverage; index++)
        {
            var labels = dataset.Read(index, 0).Labels;
            labels.Keys.Should().BeEquivalentTo(SyntheticVocabulary.MotionLabel, SyntheticVocabulary.AppearanceLabel);
            labels[SyntheticVocabulary.MotionLabel].Should().BeInRange(0, dataset.Info.LabelSets[SyntheticVocabulary.MotionLabel] - 1);
            labels[SyntheticVocabulary.AppearanceLabel].Should().BeInRange(0, dataset.Info.LabelSets[SyntheticVocabulary.AppearanceLabel] - 1);
            motions.Add(labels[SyntheticVocabulary.MotionLabel]);
            appearances.Add(labels[SyntheticVocabulary.AppearanceLabel]);
        }

        motions.Should().HaveCount(10);
        appearances.Should().HaveCount(36);
    }

    [Fact]
    public void Caption_words_agree_with_the_labels()
    {
        using var dataset = SyntheticDatasetHarness.Create(frames: 1);
        var format = new Regex("^a (small|large) ([a-z]+) ([a-z]+) (.+)$");

        for (long index = 0; index < 100; index++)
        {
            var sample = dataset.Read(index, 0);
            int appearance = sample.Labels[SyntheticVocabulary.AppearanceLabel];

            var match = format.Match(sample.Caption!);
            match.Success.Should().BeTrue($"'{sample.Caption}' should read 'a <size> <colour> <shape> <motion>'");
            match.Groups[2].Value.Should().Be(SyntheticVocabulary.Name(SyntheticVocabulary.ColourOf(appearance)));
            match.Groups[3].Value.Should().Be(SyntheticVocabulary.Name(SyntheticVocabulary.ShapeOf(appearance)));
            match.Groups[4].Value.Should().Be(SyntheticVocabulary.Phrase(SyntheticDatasetHarness.Motion(sample)));
        }
    }

    [Fact]
    public void Size_word_agrees_with_the_box()
    {
        using var dataset = SyntheticDatasetHarness.Create();
        var small = new List<float>();
        var large = new List<float>();

        for (long index = 0; index < 100; index++)
        {
            var sample = dataset.Read(index, 0);
            // The mean scale over a clip is 1 for every motion (grow and shrink are symmetric about
            // it), so the mean of the box's longer side measures the object's size class.
            float width = Enumerable.Range(0, 8).Average(t =>
            {
                var (x0, y0, x1, y1) = SyntheticDatasetHarness.Box(sample, t);
                return Math.Max(x1 - x0, y1 - y0);
            });
            (sample.Caption!.StartsWith("a small", StringComparison.Ordinal) ? small : large).Add(width);
        }

        small.Should().NotBeEmpty();
        large.Should().NotBeEmpty();
        small.Max().Should().BeLessThan(large.Min());
    }

    [Theory]
    [InlineData(64, 120)]
    [InlineData(224, 6)]
    public void Box_holds_the_object_colour_and_nothing_outside_it_does(int side, int clips)
    {
        const int frames = 8;
        // Within 0.2 of the object colour in RGB: a muted background plus noise never gets there,
        // nor does a distractor of another palette colour, nor an edge pixel less than half covered.
        const float near = 0.2f;
        using var dataset = SyntheticDatasetHarness.Create(frames: frames, imageSize: side);

        for (long index = 0; index < clips; index++)
        {
            var sample = dataset.Read(index, 0);
            var colour = SyntheticVocabulary.Rgb(SyntheticVocabulary.ColourOf(sample.Labels[SyntheticVocabulary.AppearanceLabel]));
            for (int t = 0; t < frames; t++)
            {
                var (x0, y0, x1, y1) = SyntheticDatasetHarness.Box(sample, t);
                int inside = 0, nearInside = 0, nearOutside = 0;
                for (int y = 0; y < side; y++)
                {
                    for (int x = 0; x < side; x++)
                    {
                        float dr = SyntheticDatasetHarness.Denormalised(sample.Pixels, frames, side, 0, t, y, x) - colour.R;
                        float dg = SyntheticDatasetHarness.Denormalised(sample.Pixels, frames, side, 1, t, y, x) - colour.G;
                        float db = SyntheticDatasetHarness.Denormalised(sample.Pixels, frames, side, 2, t, y, x) - colour.B;
                        bool isNear = dr * dr + dg * dg + db * db < near * near;
                        float px = (x + 0.5f) / side, py = (y + 0.5f) / side;
                        if (px >= x0 && px <= x1 && py >= y0 && py <= y1)
                        {
                            inside++;
                            nearInside += isNear ? 1 : 0;
                        }
                        else
                        {
                            nearOutside += isNear ? 1 : 0;
                        }
                    }
                }
                string because = $"frame {t} of clip {index} is '{sample.Caption}'";
                // The thinnest shapes (cross, star) fill about a quarter of their box at 64×64.
                ((double)nearInside / inside).Should().BeGreaterThan(0.2, because);
                nearOutside.Should().Be(0, because);
            }
        }
    }

    [Fact]
    public void Box_moves_as_the_motion_label_says()
    {
        const int frames = 8, side = 64;
        using var dataset = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = ClipsForCoverage }, frames, side);
        var seen = new HashSet<SyntheticMotion>();
        // Camera shake moves a box by at most one pixel each way.
        const float shake = 2f / side;

        for (long index = 0; index < ClipsForCoverage; index++)
        {
            var sample = dataset.Read(index, 0);
            var motion = SyntheticDatasetHarness.Motion(sample);
            seen.Add(motion);
            var first = SyntheticDatasetHarness.Centre(sample, 0);
            var last = SyntheticDatasetHarness.Centre(sample, frames - 1);
            var centres = Enumerable.Range(0, frames).Select(t => SyntheticDatasetHarness.Centre(sample, t)).ToArray();
            float firstArea = SyntheticDatasetHarness.Area(sample, 0), lastArea = SyntheticDatasetHarness.Area(sample, frames - 1);
            string because = $"clip {index} is '{sample.Caption}'";
            switch (motion)
            {
                case SyntheticMotion.Left:
                    (first.X - last.X).Should().BeGreaterThan(0.25f, because);
                    Math.Abs(first.Y - last.Y).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                    break;
                case SyntheticMotion.Right:
                    (last.X - first.X).Should().BeGreaterThan(0.25f, because);
                    Math.Abs(first.Y - last.Y).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                    break;
                case SyntheticMotion.Up:
                    (first.Y - last.Y).Should().BeGreaterThan(0.25f, because);
                    Math.Abs(first.X - last.X).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                    break;
                case SyntheticMotion.Down:
                    (last.Y - first.Y).Should().BeGreaterThan(0.25f, because);
                    Math.Abs(first.X - last.X).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                    break;
                case SyntheticMotion.Grow:
                    lastArea.Should().BeGreaterThan(3 * firstArea, because);
                    break;
                case SyntheticMotion.Shrink:
                    firstArea.Should().BeGreaterThan(3 * lastArea, because);
                    break;
                case SyntheticMotion.OrbitClockwise:
                case SyntheticMotion.OrbitCounterClockwise:
                    {
                        // Signed turning about the mean centre; y points down, so a positive sum
                        // is clockwise on screen.
                        float mx = centres.Average(c => c.X), my = centres.Average(c => c.Y);
                        double turning = 0;
                        for (int t = 0; t + 1 < frames; t++)
                        {
                            turning += (centres[t].X - mx) * (centres[t + 1].Y - my) - (centres[t].Y - my) * (centres[t + 1].X - mx);
                        }
                        (motion == SyntheticMotion.OrbitClockwise ? turning : -turning).Should().BeGreaterThan(0.01, because);
                        break;
                    }
                case SyntheticMotion.Bounce:
                    {
                        // Rises well above where it starts and comes back down to the floor.
                        float highest = centres.Min(c => c.Y);
                        (first.Y - highest).Should().BeGreaterThan(0.15f, because);
                        Math.Abs(last.Y - first.Y).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                        Math.Abs(last.X - first.X).Should().BeLessThanOrEqualTo(shake + 1e-6f, because);
                        break;
                    }
                case SyntheticMotion.Still:
                    centres.Should().OnlyContain(c => Math.Abs(c.X - first.X) <= shake + 1e-6f && Math.Abs(c.Y - first.Y) <= shake + 1e-6f, because);
                    lastArea.Should().BeApproximately(firstArea, 1e-6f, because);
                    break;
            }
        }

        seen.Should().HaveCount(10);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(16, 64)]
    [InlineData(8, 112)]
    [InlineData(16, 224)]
    public void Object_stays_inside_the_frame(int frames, int side)
    {
        using var dataset = SyntheticDatasetHarness.Create(frames: frames, imageSize: side);
        int clips = side > 64 ? 12 : 150;

        for (long index = 0; index < clips; index++)
        {
            var boxes = dataset.Read(index, 0).Boxes!;
            // Boxes are clamped to [0, 1]; strictly inside means nothing was cut off.
            boxes.Should().OnlyContain(value => value > 0f && value < 1f, $"clip {index} must keep its object in the frame");
        }
    }

    [Fact]
    public void Image_mode_gives_one_frame_still_objects_and_captions_without_motion()
    {
        const int side = 64;
        using var dataset = SyntheticDatasetHarness.Create(new SyntheticOptions { Images = true }, frames: 16, imageSize: side);
        var motionWords = Enum.GetValues<SyntheticMotion>().SelectMany(m => SyntheticVocabulary.Phrase(m).Split(' ')).Where(w => w.Length > 2).ToHashSet();

        dataset.Info.LabelSets.Keys.Should().BeEquivalentTo(SyntheticVocabulary.AppearanceLabel);
        for (long index = 0; index < 50; index++)
        {
            var sample = dataset.Read(index, 0);
            sample.Pixels.Should().HaveCount(3 * side * side);
            sample.Boxes.Should().HaveCount(4);
            sample.Labels.Keys.Should().BeEquivalentTo(SyntheticVocabulary.AppearanceLabel);
            sample.Caption.Should().MatchRegex("^a (small|large) [a-z]+ [a-z]+$");
            sample.Caption!.Split(' ').Should().NotIntersectWith(motionWords);
            SyntheticCaption.AllImageCaptions.Should().Contain(sample.Caption);
        }
    }

    [Fact]
    public void Caption_vocabulary_has_72_image_and_720_clip_captions()
    {
        SyntheticCaption.AllImageCaptions.Should().OnlyHaveUniqueItems().And.HaveCount(72);
        SyntheticCaption.AllVideoCaptions.Should().OnlyHaveUniqueItems().And.HaveCount(720);
        SyntheticCaption.Video(SyntheticSize.Small, SyntheticColour.Red, SyntheticShape.Triangle, SyntheticMotion.Left)
            .Should().Be("a small red triangle moving to the left");
        SyntheticCaption.Image(SyntheticSize.Large, SyntheticColour.Cyan, SyntheticShape.Star).Should().Be("a large cyan star");
    }

    [Fact]
    public void Switches_change_only_what_they_name()
    {
        const int frames = 8, side = 64;
        var quiet = new SyntheticOptions { Noise = 0, CameraJitter = false, Clutter = false };
        using var plain = SyntheticDatasetHarness.Create(quiet, frames, side);
        using var cluttered = SyntheticDatasetHarness.Create(new SyntheticOptions { Noise = 0, CameraJitter = false, Clutter = true }, frames, side);
        using var shaken = SyntheticDatasetHarness.Create(new SyntheticOptions { Noise = 0, CameraJitter = true, Clutter = false }, frames, side);
        int withClutter = 0, checkedStill = 0;

        for (long index = 0; index < 60; index++)
        {
            var a = plain.Read(index, 0);
            var b = cluttered.Read(index, 0);
            b.Caption.Should().Be(a.Caption);
            b.Boxes.Should().Equal(a.Boxes);
            if (!a.Pixels.SequenceEqual(b.Pixels))
            {
                withClutter++;
            }

            if (SyntheticDatasetHarness.Motion(a) == SyntheticMotion.Still)
            {
                // No noise, no shake, no motion: every frame is the first one.
                int area = side * side;
                for (int c = 0; c < 3; c++)
                {
                    var firstFrame = a.Pixels.AsSpan(c * frames * area, area).ToArray();
                    for (int t = 1; t < frames; t++)
                    {
                        a.Pixels.AsSpan((c * frames + t) * area, area).ToArray().Should().Equal(firstFrame);
                    }
                }
                // With shake, the frames of the same still scene move.
                var s = shaken.Read(index, 0);
                Enumerable.Range(1, frames - 1).Any(t => !s.Pixels.AsSpan(t * area, area).SequenceEqual(s.Pixels.AsSpan(0, area)))
                    .Should().BeTrue();
                checkedStill++;
            }
        }

        withClutter.Should().BeInRange(15, 45, "a distractor appears in about half the clips");
        checkedStill.Should().BeGreaterThan(0);
    }
}
