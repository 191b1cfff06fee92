using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Teachers;

/// <summary>
/// The tiny CLIP of tests/fixtures/clip, written by real PyTorch in every published layout (never
/// by this project's exporter, which would pass a wrong key map), loads to the same tensors, and
/// <c>umt teacher features</c> gives the same features from each — equal to PyTorch's float64 forward.
/// </summary>
public sealed class ClipTeacherLayoutTests(ITestOutputHelper log)
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "clip");

    public static TheoryData<string, ClipWeightLayout> Layouts => new()
    {
        { "openai.pth", ClipWeightLayout.OpenAi },
        { "openai-jit.pt", ClipWeightLayout.OpenAi },
        { "stripped-vit.pth", ClipWeightLayout.OpenAiVisualOnly },
        { "hf.safetensors", ClipWeightLayout.HuggingFace },
    };

    /// <summary>The fp16 TorchScript file holds the fp16 rounding of the same weights.</summary>
    private static bool IsHalf(string file) => file.EndsWith(".pt", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_layout_loads_to_the_reference_visual_tensors(string file, ClipWeightLayout layout)
    {
        using var scope = NewDisposeScope();
        var expected = SafetensorsFile.Read(Path.Combine(Fixtures, IsHalf(file) ? "expected-visual-fp16.safetensors" : "expected-visual.safetensors"));
        using var weights = ClipVisionWeights.Read(Path.Combine(Fixtures, file));

        weights.Layout.Should().Be(layout);
        weights.Tensors.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, tensor) in expected)
        {
            var loaded = weights.Tensors[key];
            loaded.shape.Should().Equal(tensor.shape, key);
            loaded.to(ScalarType.Float32).equal(tensor.to(ScalarType.Float32)).all().item<bool>().Should().BeTrue($"{key} of {file} must equal PyTorch's tensor exactly");
        }
        ClipVisionConfig.Infer(weights.Shapes).Should().Be(new ClipVisionConfig(64, 2, 1, 8, 4, 32));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Shapes_for_validation_equal_the_loaded_tensors_shapes(string file, ClipWeightLayout layout)
    {
        string path = Path.Combine(Fixtures, file);
        using var weights = ClipVisionWeights.Read(path);

        var shapes = ClipVisionWeights.ReadShapes(path); // safetensors: from the header only

        shapes.Keys.Should().BeEquivalentTo(weights.Tensors.Keys, $"{layout}");
        foreach (var (key, shape) in weights.Shapes)
        {
            shapes[key].Should().Equal(shape, key);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Teacher_features_from_every_layout_match_pytorch_float64(string file, ClipWeightLayout layout)
    {
        using var dir = new TemporaryDirectory();
        string input = Path.Combine(Fixtures, "forward-reference.safetensors");
        string output = Path.Combine(dir.Path, "features.safetensors");

        var result = TestSupport.Umt.Run(log, "teacher", "features", "--input", input, "--out", output,
            "--set", "Umt:Model:Frames=2", "--set", "Umt:Model:ImageSize=32", "--set", "Umt:Model:PatchSize=8", "--set", "Umt:Model:Tubelet=1",
            "--set", "Umt:Teacher:Use=clip", "--set", "Umt:Teacher:Options:clip:Preset=custom",
            "--set", $"Umt:Teacher:Options:clip:Weights={Path.Combine(Fixtures, file)}",
            // The float64 reference is matched to 1e-5 in fp32; the default (auto) would be bf16 on a CPU with AVX512-BF16.
            "--set", "Umt:Teacher:Options:clip:Precision=fp32",
            "--set", "Umt:Objectives:umt-alignment:Options:Layers=2");

        result.ExitCode.Should().Be(0, result.All);
        using var scope = NewDisposeScope();
        var reference = SafetensorsFile.Read(input);
        var written = SafetensorsFile.Read(output);
        written["features"].shape.Should().Equal(2, 2, 32, 32); // [K, B, N = T·P, C]
        written["attention"].shape.Should().Equal(4, 16);       // [B·T, P]
        // fp32 weights agree with PyTorch's float64 forward to float32 rounding; the fp16 file to fp16 rounding of its weights.
        double tolerance = IsHalf(file) ? 2e-2 : 1e-5;
        MaxAbsDifference(written["features"], reference["features"]).Should().BeLessThan(tolerance, $"{file} ({layout}) features");
        MaxAbsDifference(written["attention"], reference["attention"]).Should().BeLessThan(tolerance, $"{file} ({layout}) attention");
    }

    private static double MaxAbsDifference(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>();
}
