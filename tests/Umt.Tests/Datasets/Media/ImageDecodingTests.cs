using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using SkiaSharp;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Cc3m;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Media;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>The SkiaSharp path of <c>cc3m</c> end to end: real image files in, upright RGB one-frame clips out.</summary>
public sealed class ImageDecodingTests(ITestOutputHelper log)
{
    private static readonly byte[] Red = [255, 0, 0];
    private static readonly byte[] Green = [0, 255, 0];
    private static readonly byte[] Blue = [0, 0, 255];
    private static readonly byte[] White = [255, 255, 255];

    [Fact]
    public void Exported_jpegs_read_back_through_cc3m_as_the_synthetic_images_with_cleaned_captions()
    {
        using var temp = new TemporaryDirectory();
        var export = SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Path, Clips: 0, Images: 4, Size: 64));
        using var decoded = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = export.Cc3mTsv!, Root = temp.Path, Mode = "eval" }, frames: 1, imageSize: 64, temp.Path);
        using var source = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = 4, Images = true }, frames: 1, imageSize: 64);

        decoded.Info.Count.Should().Be(4);
        decoded.Info.Frames.Should().Be(1, "an image is a one-frame clip");
        decoded.Info.HasCaptions.Should().BeTrue();
        var originals = Enumerable.Range(0, 4).Select(i => source.Read(i, 0)).ToArray();
        for (int i = 0; i < 4; i++)
        {
            var sample = decoded.Read(i, augmentationKey: 31);
            sample.Pixels.Should().HaveCount(3 * 1 * 64 * 64, "[3, 1, 64, 64]");
            sample.Caption.Should().Be(CaptionText.Clean(originals[i].Caption!), "cc3m applies the reference's pre_text to the TSV caption");
            double same = MeanAbsDifference(sample.Pixels, originals[i].Pixels);
            log.WriteLine($"image {i}: mean |decoded − source| = {same:F4}; caption '{sample.Caption}'");
            same.Should().BeLessThan(0.03, $"image {i} is the synthetic image up to JPEG error (eval: whole frame, bicubic 64→64)");
            for (int other = 0; other < 4; other++)
            {
                if (other != i && MeanAbsDifference(originals[other].Pixels, originals[i].Pixels) > 0.01)
                {
                    MeanAbsDifference(sample.Pixels, originals[other].Pixels).Should().BeGreaterThan(same, $"row {i} of the TSV is image {i}, not image {other}");
                }
            }
        }
    }

    [Fact]
    public void Odd_but_valid_images_are_read_not_skipped()
    {
        using var temp = new TemporaryDirectory();
        // ffmpeg's mjpeg encoder has no gray format (it silently writes yuvj444p), so the one-component JPEG comes from Skia's encoder.
        WriteGreyJpeg(temp.Combine("grey.jpg"), 40, 30);
        JpegComponents(File.ReadAllBytes(temp.Combine("grey.jpg"))).Should().Be(1, "the fixture is a true greyscale JPEG");
        Parallel.Invoke(
            () => MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", "-vf", "format=rgba,colorchannelmixer=aa=0.5", "-pix_fmt", "rgba", temp.Combine("alpha.png")),
            () => MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", "-pix_fmt", "pal8", temp.Combine("palette.png")),
            () => MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", "-pix_fmt", "rgb48be", temp.Combine("deep.png")),
            () => MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=30x60", "-frames:v", "1", temp.Combine("portrait.jpg")),
            () => MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", temp.Combine("an image, with spaces.jpg")));
        string[] files = ["grey.jpg", "alpha.png", "palette.png", "deep.png", "portrait.jpg", "an image, with spaces.jpg"];
        File.WriteAllText(temp.Combine("list.json"), JsonSerializer.Serialize(files.Select(f => new Dictionary<string, string> { ["image"] = f, ["caption"] = $"A picture: {f}!" })));

        using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Path }, frames: 1, imageSize: 32, temp.Path);
        var report = DatasetVerifier.Verify(dataset, workers: 2, ProgressRenderer.Silent, CancellationToken.None);

        report.Failures.Should().BeEmpty();
        dataset.Info.Count.Should().Be(files.Length, "Format auto reads a .json manifest as the reference's image+caption list");
        for (int i = 0; i < files.Length; i++)
        {
            var sample = dataset.Read(i, (ulong)i + 5);
            sample.Pixels.Should().HaveCount(3 * 32 * 32);
            sample.Pixels.Should().OnlyContain(v => float.IsFinite(v));
            sample.Caption.Should().Be($"a picture {files[i]}".Replace(",", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal));
        }
        var grey = dataset.Read(0, 9).Pixels;
        for (int y = 0; y < 32; y += 3)
        {
            for (int x = 0; x < 32; x += 3)
            {
                float r = MediaFixtures.Value(grey, 1, 32, 0, 0, y, x);
                MediaFixtures.Value(grey, 1, 32, 1, 0, y, x).Should().BeApproximately(r, 1e-4f, "a greyscale image decodes to equal channels");
                MediaFixtures.Value(grey, 1, 32, 2, 0, y, x).Should().BeApproximately(r, 1e-4f, "a greyscale image decodes to equal channels");
            }
        }
        var reader = new SkiaImageReader(maxMegapixels: 64);
        var portrait = reader.Probe(temp.Combine("portrait.jpg"), CancellationToken.None);
        (portrait.Width, portrait.Height, portrait.FrameCount).Should().Be((30, 60, 1));
    }

    [Fact]
    public void Half_transparent_pixels_keep_their_colour_as_PIL_convert_RGB_keeps_it()
    {
        using var temp = new TemporaryDirectory();
        MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", "-pix_fmt", "rgb24", temp.Combine("opaque.png"));
        MediaFixtures.Ffmpeg("-i", temp.Combine("opaque.png"), "-vf", "format=rgba,colorchannelmixer=aa=0.5", "-pix_fmt", "rgba", temp.Combine("alpha.png"));
        var reader = new SkiaImageReader(maxMegapixels: 64);
        var info = reader.Probe(temp.Combine("alpha.png"), CancellationToken.None);
        byte[] Read(string name) => reader.Read(temp.Combine(name), info, [0], CropGeometry.Whole(info.Width, info.Height), 32, Resampling.Bicubic, CancellationToken.None);

        byte[] opaque = Read("opaque.png"), translucent = Read("alpha.png");
        double difference = opaque.Zip(translucent, (a, b) => Math.Abs(a - b) / 255.0).Average();
        log.WriteLine($"mean |opaque − alpha 0.5| = {difference:F4}, opaque mean {opaque.Average(b => b / 255.0):F3}, alpha mean {translucent.Average(b => b / 255.0):F3}");
        difference.Should().BeLessThan(0.01, "half-transparent pixels keep their colour (premultiplying would halve them)");
    }

    [Fact]
    public void Broken_images_are_reported_with_the_reason()
    {
        using var temp = new TemporaryDirectory();
        MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1", "-q:v", "2", temp.Combine("valid.jpg"));
        byte[] valid = File.ReadAllBytes(temp.Combine("valid.jpg"));
        File.WriteAllBytes(temp.Combine("empty.jpg"), []);
        var noise = new byte[4096];
        new Random(5).NextBytes(noise);
        noise[0] = (byte)'Z'; // not 0x00 (WBMP, ICO) nor any other format's first byte
        File.WriteAllBytes(temp.Combine("noise.jpg"), noise);
        File.WriteAllBytes(temp.Combine("truncated.jpg"), valid[..(valid.Length * 6 / 10)]);
        File.WriteAllText(temp.Combine("text.jpg"), "This is a caption file that someone saved under an image name.\n");
        (string File, string Reason)[] rows =
        [
            ("valid.jpg", ""),
            ("empty.jpg", "empty file"),
            ("noise.jpg", "not a readable image"),
            ("truncated.jpg", "truncated image"),
            ("text.jpg", "not a readable image"),
            ("missing.jpg", "missing file"),
        ];
        File.WriteAllText(temp.Combine("list.json"), JsonSerializer.Serialize(rows.Select(r => new Dictionary<string, string> { ["image"] = r.File, ["caption"] = "a broken picture" })));
        using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Path }, frames: 1, imageSize: 32, temp.Path);

        dataset.Info.Count.Should().Be(rows.Length);
        dataset.Read(0, 1).Pixels.Should().HaveCount(3 * 32 * 32, "the list itself is fine: the valid image reads");
        for (int i = 1; i < rows.Length; i++)
        {
            var failure = dataset.Invoking(d => d.Read(i, 1)).Should().Throw<UnreadableMediaException>($"{rows[i].File} is unusable").Which;
            log.WriteLine($"{rows[i].File}: {failure.Message}");
            failure.Reason.Should().Be(rows[i].Reason, rows[i].File);
            failure.MediaPath.Should().EndWith(rows[i].File);
        }
        DatasetVerifier.Verify(dataset, workers: 2, ProgressRenderer.Silent, CancellationToken.None).Failures.Select(f => (f.Index, f.Reason))
            .Should().Equal(rows.Select((r, i) => ((long)i, r.Reason)).Skip(1), "verify counts each broken image under its reason");
    }

    [Fact]
    public void Exif_orientation_6_turns_the_image_upright_left_half_to_the_top()
    {
        using var temp = new TemporaryDirectory();
        string plain = temp.Combine("plain.jpg"), rotated = temp.Combine("rotated.jpg");
        MediaWriters.WriteJpeg(plain, Quadrants(48, 24, Red, Blue, Red, Blue), 48, 24);
        File.WriteAllBytes(rotated, WithExifOrientation(File.ReadAllBytes(plain), 6));
        var reader = new SkiaImageReader(maxMegapixels: 64);

        var stored = reader.Probe(plain, CancellationToken.None);
        (stored.Width, stored.Height).Should().Be((48, 24), "without EXIF the image is as stored");
        var info = reader.Probe(rotated, CancellationToken.None);
        (info.Width, info.Height).Should().Be((24, 48), "orientation 6 is displayed rotated a quarter turn: the upright image is portrait");

        // EXIF 6: the stored 0th row is the visual right-hand side, the stored 0th column the visual top,
        // i.e. rotate the stored image 90° clockwise to display it: its left half (red) becomes the top.
        byte[] rgb = reader.Read(rotated, info, [0], CropGeometry.Whole(info.Width, info.Height), 32, Resampling.Bilinear, CancellationToken.None);
        rgb.Should().HaveCount(32 * 32 * 3);
        for (int y = 0; y < 32; y++)
        {
            if (y is >= 13 and <= 18)
            {
                continue; // the seam, blurred by JPEG's chroma subsampling and the resize
            }
            byte[] expected = y < 16 ? Red : Blue;
            for (int x = 0; x < 32; x += 5)
            {
                Pixel(rgb, 32, x, y).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 40, $"upright pixel ({x}, {y}) is in the {(y < 16 ? "top (red)" : "bottom (blue)")} half");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Every_exif_orientation_puts_each_stored_quadrant_where_the_tag_says(int orientation)
    {
        const int width = 48, height = 24;
        using var temp = new TemporaryDirectory();
        string path = temp.Combine("oriented.jpg");
        MediaWriters.WriteJpeg(path, Quadrants(width, height, Red, Green, Blue, White), width, height);
        File.WriteAllBytes(path, WithExifOrientation(File.ReadAllBytes(path), (ushort)orientation));
        var reader = new SkiaImageReader(maxMegapixels: 64);
        var info = reader.Probe(path, CancellationToken.None);
        bool transposed = orientation >= 5;
        (info.Width, info.Height).Should().Be(transposed ? (height, width) : (width, height));

        byte[] rgb = reader.Read(path, info, [0], CropGeometry.Whole(info.Width, info.Height), 32, Resampling.Bilinear, CancellationToken.None);
        // EXIF 2.3, tag 0x0112: where the stored 0th row and 0th column appear on display.
        var (row0, column0) = orientation switch
        {
            1 => ("top", "left"),
            2 => ("top", "right"),
            3 => ("bottom", "right"),
            4 => ("bottom", "left"),
            5 => ("left", "top"),
            6 => ("right", "top"),
            7 => ("right", "bottom"),
            _ => ("left", "bottom"),
        };
        foreach (int v in new[] { 8, 24 })
        {
            foreach (int u in new[] { 8, 24 })
            {
                // The display point (in [0, 1]² of the upright image) back to a stored point.
                double du = (u + 0.5) / 32, dv = (v + 0.5) / 32;
                double sx = transposed ? (column0 == "top" ? dv : 1 - dv) : (column0 == "left" ? du : 1 - du);
                double sy = transposed ? (row0 == "left" ? du : 1 - du) : (row0 == "top" ? dv : 1 - dv);
                byte[] expected = (sx < 0.5, sy < 0.5) switch
                {
                    (true, true) => Red,
                    (false, true) => Green,
                    (true, false) => Blue,
                    _ => White,
                };
                Pixel(rgb, 32, u, v).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 40,
                    $"orientation {orientation} (0th row {row0}, 0th column {column0}) shows stored point ({sx:F2}, {sy:F2}) at upright ({u}, {v})");
            }
        }
    }

    /// <summary>An RGB24 image of four flat quadrants.</summary>
    private static byte[] Quadrants(int width, int height, byte[] topLeft, byte[] topRight, byte[] bottomLeft, byte[] bottomRight)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte[] colour = y < height / 2 ? (x < width / 2 ? topLeft : topRight) : (x < width / 2 ? bottomLeft : bottomRight);
                colour.CopyTo(rgb, (y * width + x) * 3);
            }
        }
        return rgb;
    }

    /// <summary>
    /// The JPEG with an EXIF APP1 segment right after SOI whose IFD0 holds only Orientation (0x0112,
    /// SHORT, 1 value): "Exif\0\0", a little-endian TIFF header ("II", 42, IFD0 at 8), one entry, next IFD 0.
    /// </summary>
    private static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        jpeg[..2].Should().Equal([0xFF, 0xD8], "a JPEG starts with SOI");
        var tiff = new byte[8 + 2 + 12 + 4];
        tiff[0] = (byte)'I';
        tiff[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);          // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112);    // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);         // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);         // count
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), orientation); // value, left-justified in the 4-byte field
        // tiff[22..26]: next IFD offset 0
        byte[] payload = [.. Encoding.ASCII.GetBytes("Exif\0\0"), .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + payload.Length)); // the length counts itself, not the marker
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>A one-component (greyscale) JPEG of a diagonal gradient, through Skia's encoder.</summary>
    private static void WriteGreyJpeg(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte level = (byte)(255 * (x + y) / (width + height - 2));
                bitmap.SetPixel(x, y, new SKColor(level, level, level));
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Components in the JPEG's first SOF segment (1: greyscale, 3: YCbCr).</summary>
    private static int JpegComponents(byte[] jpeg)
    {
        for (int p = 2; p + 9 < jpeg.Length;)
        {
            jpeg[p].Should().Be(0xFF, "JPEG segments start with a marker");
            byte marker = jpeg[p + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return jpeg[p + 9]; // FF Cn, length (2), precision (1), height (2), width (2), components
            }
            p += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(p + 2));
        }
        throw new Xunit.Sdk.XunitException("no SOF segment");
    }

    private static byte[] Pixel(byte[] rgb, int side, int x, int y) => rgb[((y * side + x) * 3)..((y * side + x) * 3 + 3)];

    /// <summary>Mean |a − b| over two one-frame <c>[3, 1, S, S]</c> samples, in [0, 1] pixel units.</summary>
    private static double MeanAbsDifference(float[] a, float[] b)
    {
        int side = (int)Math.Sqrt(a.Length / 3);
        double sum = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < side; y++)
            {
                for (int x = 0; x < side; x++)
                {
                    sum += Math.Abs(MediaFixtures.Value(a, 1, side, c, 0, y, x) - MediaFixtures.Value(b, 1, side, c, 0, y, x));
                }
            }
        }
        return sum / (3.0 * side * side);
    }
}
