using Umt.Models.Onnx;
using Umt.Plugins.TextEncoders.MiniLm;

namespace Umt.Tests.TextEncoders;

/// <summary>The shipped all-MiniLM-L6-v2, read once per test run (91 MB: parsing it for every test would dominate their time).</summary>
internal static class MiniLmFixture
{
    private static readonly Lazy<byte[]> Bytes = new(() => MiniLmResources.OpenModel().GetBuffer());

    // The model owns its tensors, whatever scope the first test to touch it has open: they live for the whole run.
    private static readonly Lazy<OnnxModel> Shared = new(() => OnnxModel.Parse(Bytes.Value));

    /// <summary>The ONNX file's bytes (for ONNX Runtime and for damaging copies).</summary>
    public static byte[] ModelBytes => Bytes.Value;

    public static OnnxModel Model => Shared.Value;
}
