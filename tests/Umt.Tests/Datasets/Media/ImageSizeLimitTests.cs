using System.Text.Json;
using Serilog.Core;
using SkiaSharp;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Cc3m;
using Umt.Plugins.Datasets.Media;
using Umt.Runner.Engine.Data;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// Images are bounded before they are decoded: a decompression bomb is refused from its header
/// as an unreadable sample, and a large image is decoded once, at the reduced size the crop needs.
/// </summary>
[Collection(nameof(PeakMemory))]
public sealed class ImageSizeLimitTests(ITestOutputHelper log)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void A_png_bomb_is_refused_from_its_header_as_an_unreadable_sample_naming_the_file_and_the_limit()
    {
        using var temp = new TemporaryDirectory();
        MediaWriters.WriteJpeg(temp.Combine("fine.jpg"), new byte[32 * 32 * 3], 32, 32);
        BlankPng.Write(temp.Combine("bomb.png"), 20000, 20000);
        log.WriteLine($"bomb.png: {new FileInfo(temp.Combine("bomb.png")).Length / 1024} KiB for 400 MP");
        WriteList(temp, "fine.jpg", "bomb.png");
        using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Path }, frames: 1, imageSize: 32, temp.Path);

        UnreadableMediaException? failure = null;
        long growth = PeakMemory.GrowthDuring(() => failure = dataset.Invoking(d => d.Read(1, 1)).Should().Throw<UnreadableMediaException>().Which);

        log.WriteLine($"{failure!.Message}; peak RSS growth {growth / MiB} MiB");
        failure.Reason.Should().Be("image too large");
        failure.MediaPath.Should().Be(temp.Combine("bomb.png"));
        failure.Detail.Should().Contain("20000×20000").And.Contain("MaxImageMegapixels = 64");
        growth.Should().BeLessThan(64 * MiB, "the refusal comes from the header; decoding would take 20000² × 4 B = 1.6 GB");

        // The training loop's reader skips it, counts it under its reason and reads another sample in its place.
        var failures = new SampleFailures(Logger.None, dataset.Info.Count, maxFraction: 0.5);
        var replacement = new ReplacingSampleReader(dataset, seed: 3, failures).Read(1, epoch: 0, CancellationToken.None);
        replacement.Source.Should().Be(temp.Combine("fine.jpg"));
        failures.ByReason.Select(kv => (kv.Key, kv.Value)).Should().Equal(("image too large", 1));
    }

    [Fact]
    public void MaxImageMegapixels_sets_the_limit_of_cc3m()
    {
        using var temp = new TemporaryDirectory();
        BlankPng.Write(temp.Combine("wide.png"), 2000, 1000);
        WriteList(temp, "wide.png");
        VideoSample Read(int limit)
        {
            using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Path, MaxImageMegapixels = limit }, frames: 1, imageSize: 32, temp.Path);
            return dataset.Read(0, 1);
        }

        new Func<VideoSample>(() => Read(1)).Should().Throw<UnreadableMediaException>().Which.Detail.Should().Be("2000×1000 = 2 MP, above MaxImageMegapixels = 1");
        float[] pixels = Read(2).Pixels;
        Enumerable.Range(0, 3 * 32 * 32).Select(i => MediaFixtures.Value(pixels, 1, 32, i / 1024, 0, i / 32 % 32, i % 32))
            .Should().OnlyContain(v => Math.Abs(v) < 1e-4f, "2 MP is within a limit of 2, and the blank image reads black");
    }

    [Fact]
    public void A_large_jpeg_decodes_once_at_a_reduced_size_to_the_pixels_of_a_full_decode()
    {
        const int width = 4000, height = 3000, size = 64;
        using var temp = new TemporaryDirectory();
        string path = temp.Combine("large.jpg");
        WriteSmoothJpeg(path, width, height);
        var reader = new SkiaImageReader(maxMegapixels: 64);
        var info = reader.Probe(path, CancellationToken.None);
        var crop = CropGeometry.Center(width, height);

        byte[] rgb = [];
        long growth = PeakMemory.GrowthDuring(() => rgb = reader.Read(path, info, [0], crop, size, Resampling.Bicubic, CancellationToken.None));

        byte[] full = FullDecode(path, crop, size);
        byte[] shifted = FullDecode(path, crop with { X = crop.X + 200 }, size);
        double difference = MeanAbsDifference(rgb, full), offCrop = MeanAbsDifference(shifted, full);
        log.WriteLine($"mean |reduced − full decode| = {difference:F4} (a crop 200 px off: {offCrop:F4}); peak RSS growth {growth / MiB} MiB");
        difference.Should().BeLessThan(0.01, "decoding at a reduced size gives the full decode's pixels up to resampling error");
        offCrop.Should().BeGreaterThan(4 * difference, "the comparison can tell a wrong crop");
        growth.Should().BeLessThan(width * height * 4 / 2, "one full-size RGBA bitmap alone is 48 MB; the crop needs only 1/8 of each side");
    }

    /// <summary>The decode as it was: the whole image at full size, the crop drawn to size² with Keys' bicubic.</summary>
    private static byte[] FullDecode(string path, CropBox crop, int size)
    {
        using var decoded = SKBitmap.Decode(path);
        using var image = SKImage.FromBitmap(decoded);
        using var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(target))
        {
            canvas.DrawImage(image, SKRect.Create(crop.X, crop.Y, crop.Width, crop.Height), SKRect.Create(0, 0, size, size), new SKSamplingOptions(new SKCubicResampler(0, 0.75f)));
        }
        var rgba = target.GetPixelSpan();
        var rgb = new byte[size * size * 3];
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3)
        {
            rgb[q] = rgba[p];
            rgb[q + 1] = rgba[p + 1];
            rgb[q + 2] = rgba[p + 2];
        }
        return rgb;
    }

    /// <summary>Red rising left to right, blue top to bottom, and a green block: smooth enough that a 1/8 decode loses nothing a 64² sample shows.</summary>
    private static void WriteSmoothJpeg(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint())
        {
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, 0), [SKColors.Black, SKColors.Red], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, paint);
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, height), [SKColors.Transparent, SKColors.Blue], SKShaderTileMode.Clamp);
            paint.BlendMode = SKBlendMode.Plus;
            canvas.DrawRect(0, 0, width, height, paint);
            paint.Shader = null;
            paint.BlendMode = SKBlendMode.SrcOver;
            paint.Color = SKColors.Green;
            canvas.DrawRect(width * 0.4f, height * 0.3f, width * 0.3f, height * 0.4f, paint);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static void WriteList(TemporaryDirectory temp, params string[] files) =>
        File.WriteAllText(temp.Combine("list.json"), JsonSerializer.Serialize(files.Select(f => new Dictionary<string, string> { ["image"] = f, ["caption"] = "a picture" })));

    private static double MeanAbsDifference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y) / 255.0).Average();
}
