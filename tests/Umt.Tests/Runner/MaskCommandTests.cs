using SkiaSharp;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Workflows.Visualization;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary><c>umt mask</c>: masks of the configured strategy on one clip, and the figures that show them.</summary>
public sealed class MaskCommandTests(ITestOutputHelper log)
{
    private const int Frames = 8;
    private const int Side = 64;
    private static readonly TokenGrid Grid = new(8, 8, 8);

    [Fact]
    public void Semantic_masks_keep_the_exact_count_per_frame_and_frequencies_follow_from_the_masks()
    {
        using var dir = new TemporaryDirectory();
        string teacher = dir.Combine("tiny-random.safetensors");
        using (var visual = new ClipVisionTransformer(ClipVisionConfig.Tiny))
        {
            SafetensorsFile.Write(teacher, visual.state_dict().ToDictionary(kv => "visual." + kv.Key, kv => kv.Value));
        }
        string output = dir.Combine("out");

        var result = TestSupport.Umt.Run(log, "mask", "--draws", "50", "--out", output,
            "--set", "Umt:Teacher:Use=tiny-clip", "--set", $"Umt:Teacher:Options:tiny-clip:Weights={teacher}",
            "--set", "Umt:Masking:Use=semantic", "--set", "Umt:Masking:Options:semantic:Ratio=0.8");

        result.ExitCode.Should().Be(0, result.All);
        using var scope = NewDisposeScope();
        var tensors = SafetensorsFile.Read(Path.Combine(output, "masks.safetensors"));
        var masks = tensors["masks"];                                             // [draws, N] uint8, 1 = hidden
        masks.shape.Should().Equal(50, 8 * 64);
        var visiblePerFrame = (1 - masks.to(ScalarType.Int64)).reshape(50, 8, 64).sum(-1); // [draws, T]
        visiblePerFrame.eq(64 - (int)(64 * 0.8)).all().item<bool>().Should().BeTrue("every frame keeps P − int(P·Ratio) = 13 visible tokens");
        masks.to(ScalarType.Float32).std([0]).sum().item<float>().Should().BeGreaterThan(0, "draws are keyed by step, so they differ");
        var frequency = tensors["visible_frequency"];
        MaxDifference(frequency, (1 - masks.to(ScalarType.Float32)).mean([0])).Should().BeLessThan(1e-6);
        tensors["attention"].shape.Should().Equal(8, 64);                        // [T, P]
        // frames.png: kept tokens and the attention row; visible-frequency.png: one row.
        ShouldDecodeAs(Path.Combine(output, "frames.png"), new MaskFigure(Frames, Side, ["kept", "attention"]));
        ShouldDecodeAs(Path.Combine(output, "visible-frequency.png"), new MaskFigure(Frames, Side, ["frequency"]));
        File.Exists(Path.Combine(output, "attention.png")).Should().BeFalse("the attention is drawn over the frames in frames.png");
    }

    [Fact]
    public void Mask_figure_dims_hidden_tokens_outlines_kept_ones_and_lays_the_attention_over_the_frames()
    {
        using var dir = new TemporaryDirectory();
        var clip = WhiteClip();
        bool[] hidden = [.. Enumerable.Range(0, Grid.Count).Select(token => token % 3 == 0)];
        // Attention per frame [T·64]: all of it on the top-left patch.
        float[] attention = [.. Enumerable.Range(0, Frames * 64).Select(i => i % 64 == 0 ? 1f : 0f)];

        var figure = MaskFigures.Masks(clip, "test", hidden, attention);
        string path = dir.Combine("frames.png");
        figure.Save(path);

        using var png = ShouldDecodeAs(path, figure);
        int patch = Side / Grid.H;
        byte hiddenShade = (byte)MathF.Round(ClipFrames.HiddenShade(1f) * 255); // white dimmed: 0.35 · 255 = 89
        for (int t = 0; t < Frames; t++)
        {
            for (int cell = 0; cell < Grid.PerSlot; cell++)
            {
                int x = cell % Grid.W * patch, y = cell / Grid.W * patch;
                var centre = At(png, figure.PixelOf(0, t, x + patch / 2, y + patch / 2));
                byte expected = hidden[t * Grid.PerSlot + cell] ? hiddenShade : (byte)255;
                Near(centre, expected, expected, expected, 12).Should().BeTrue($"frame {t} token {cell}: {centre} (hidden: {hidden[t * Grid.PerSlot + cell]})");
            }
        }
        // Token 1 is kept: its left edge carries the yellow outline, where white and grey have red = blue.
        var edge = At(png, figure.PixelOf(0, 0, patch - 0.5, patch / 2));
        (edge.Red > 200 && edge.Red - edge.Blue > 60).Should().BeTrue($"outline pixel {edge}");
        // Row 1: Inferno at opacity 0.6 over white: 1 → (252, 255, 164)·0.6 + 255·0.4, 0 → (0, 0, 4)·0.6 + 255·0.4.
        for (int t = 0; t < Frames; t++)
        {
            var hot = At(png, figure.PixelOf(1, t, patch / 2, patch / 2));
            var cold = At(png, figure.PixelOf(1, t, 3 * patch + patch / 2, 3 * patch + patch / 2));
            Near(hot, 253, 255, 200, 15).Should().BeTrue($"frame {t} attended patch {hot}");
            Near(cold, 102, 102, 104, 15).Should().BeTrue($"frame {t} unattended patch {cold}");
        }
    }

    [Fact]
    public void Visible_frequency_figure_colours_each_token_by_its_share_on_one_scale()
    {
        using var dir = new TemporaryDirectory();
        var clip = WhiteClip();
        float[] frequency = [.. Enumerable.Range(0, Grid.Count).Select(token => token % 2 == 0 ? 1f : 0f)];

        var figure = MaskFigures.VisibleFrequency(clip, "test", frequency, draws: 10);
        string path = dir.Combine("visible-frequency.png");
        figure.Save(path);

        using var png = ShouldDecodeAs(path, figure);
        int patch = Side / Grid.H;
        for (int cell = 0; cell < 2; cell++)
        {
            var centre = At(png, figure.PixelOf(0, 3, cell * patch + patch / 2, patch / 2));
            bool always = cell == 0;
            (always ? Near(centre, 253, 255, 200, 15) : Near(centre, 102, 102, 104, 15)).Should().BeTrue($"share {(always ? 1 : 0)}: {centre}");
        }
    }

    [Fact]
    public void Mask_reads_a_video_file_through_the_datasets_decoder()
    {
        using var dir = new TemporaryDirectory();
        // A red 96×96 clip of 16 frames: the run samples 8 frames and centre-crops to 64².
        string video = dir.Combine("red clip.mp4");
        var ffmpeg = BashScript.Run("ffmpeg -nostdin -v error -y -f lavfi -i color=c=red:s=96x96:r=8:d=2 -c:v libx264 -pix_fmt yuv420p \"$VIDEO\"",
            new Dictionary<string, string?> { ["VIDEO"] = video });
        ffmpeg.ExitCode.Should().Be(0, ffmpeg.Error);
        string output = dir.Combine("out");

        var result = TestSupport.Umt.Run(log, "mask", "--video", video, "--draws", "5", "--out", output);

        result.ExitCode.Should().Be(0, result.All);
        using var scope = NewDisposeScope();
        string file = Path.Combine(output, "masks.safetensors");
        SafetensorsFile.ReadHeader(file).Metadata["umt.clip"].Should().Be(video);
        var tensors = SafetensorsFile.Read(file);
        bool[] hidden = [.. tensors["masks"][0].data<byte>().ToArray().Select(m => m == 1)]; // [N], 1 = hidden
        // The same figure drawn over a white clip lays out alike (same rows, legend, colour scale), so it locates the panels.
        var layout = MaskFigures.Masks(WhiteClip(), "semantic", hidden, tensors["attention"].flatten().data<float>().ToArray());
        layout.Save(dir.Combine("layout.png"));
        using var png = ShouldDecodeAs(Path.Combine(output, "frames.png"), layout);
        int patch = Side / Grid.H, kept = Array.IndexOf(hidden, false), slot = kept / Grid.PerSlot, cell = kept % Grid.PerSlot;
        var centre = At(png, layout.PixelOf(0, slot, cell % Grid.W * patch + patch / 2, cell / Grid.W * patch + patch / 2));
        (centre.Red > 200 && centre.Green < 60 && centre.Blue < 60).Should().BeTrue($"a kept token of the decoded red clip shows red: {centre}");
    }

    [Theory]
    [InlineData("--input", "b.safetensors", "--input and --video")]
    [InlineData("--enrichment", "10", "cannot be combined with --video")]
    public void Video_with_another_clip_source_or_the_enrichment_check_is_a_usage_error(string option, string value, string message)
    {
        var result = TestSupport.Umt.Run(log, "mask", "--video", "a.mp4", option, value, "--out", "unused");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain(message);
    }

    /// <summary>A white clip, ImageNet-normalised: (1 − mean) / std per channel.</summary>
    private static ClipFrames WhiteClip()
    {
        var pixels = new float[3 * Frames * Side * Side];
        for (int c = 0; c < 3; c++)
        {
            Array.Fill(pixels, (1 - ImageNetNormalization.Mean[c]) / ImageNetNormalization.Std[c], c * Frames * Side * Side, Frames * Side * Side);
        }
        return new ClipFrames(pixels, Frames, Side, Grid, "white");
    }

    /// <summary>Decodes the PNG with SkiaSharp (an independent decoder) and checks its size.</summary>
    private static SKBitmap ShouldDecodeAs(string path, MaskFigure figure)
    {
        var bitmap = SKBitmap.Decode(path);
        bitmap.Should().NotBeNull(path);
        (bitmap.Width, bitmap.Height).Should().Be((figure.Width, figure.Height), path);
        return bitmap;
    }

    private static SKColor At(SKBitmap bitmap, (int X, int Y) pixel) => bitmap.GetPixel(pixel.X, pixel.Y);

    private static bool Near(SKColor colour, int red, int green, int blue, int tolerance) =>
        Math.Abs(colour.Red - red) <= tolerance && Math.Abs(colour.Green - green) <= tolerance && Math.Abs(colour.Blue - blue) <= tolerance;

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
