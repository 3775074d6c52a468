// The same three steps as OptimizerTests (w = [1, -2] weights, b = [0.5] bias, the same gradients), with
// the numbers torch.optim printed for them (PyTorch float32, CPU, once, by the script below; biases in a
// param group with weight_decay 0, as MnistBp never decays biases). Agreement to 1e-6.
//   w = torch.tensor([1., -2.], requires_grad=True); b = torch.tensor([0.5], requires_grad=True)
//   opt = torch.optim.Adam([{'params': [w], 'weight_decay': 0.5}, {'params': [b], 'weight_decay': 0}], lr=0.01, betas=(0.8, 0.9), eps=1e-3)
//   for g_w, g_b in steps: w.grad, b.grad = torch.tensor(g_w), torch.tensor(g_b); opt.step()
// (Momentum: SGD lr=0.1, momentum=0.8, weight_decay 0.05, nesterov off / on; AdamW as Adam; Sgd: lr=0.5, weight_decay 0.1;
// RmsProp: torch.optim.RMSprop lr=0.01, alpha=0.8, eps=1e-3, weight_decay 0.5, torch 1.13.)
namespace MnistBp.Tests.Optimizers;

internal sealed class OptimizerTorchGoldenTests
{
    private static readonly float[][] s_weightGradients = [[0.5f, -1f], [0.25f, 0.5f], [-1f, 2f]];
    private static readonly float[][] s_biasGradients = [[0.5f], [-0.5f], [1f]];

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("momentum", new[] { 0.944999993f, -1.88999999f, 0.449999988f, 0.871275008f, -1.84254992f, 0.459999979f, 0.907938659f, -1.99537718f, 0.367999971f });
        yield return new TestCaseData("nesterov", new[] { 0.901000023f, -1.80200005f, 0.409999996f, 0.812691033f, -1.80538201f, 0.467999995f, 0.938333631f, -2.11904716f, 0.294399977f });
        yield return new TestCaseData("adam", new[] { 0.990009964f, -1.99000502f, 0.490019947f, 0.980212748f, -1.98182917f, 0.491128832f, 0.976307571f, -1.97970474f, 0.485940874f });
        yield return new TestCaseData("adamw", new[] { 0.985019982f, -1.98001003f, 0.490019947f, 0.970835507f, -1.96797037f, 0.491128832f, 0.968863547f, -1.96341848f, 0.485940874f });
        yield return new TestCaseData("rmsprop", new[] { 0.977689207f, -1.97766423f, 0.477738887f, 0.963475823f, -1.97177708f, 0.494350195f, 0.973447919f, -1.98342776f, 0.475212753f });
        yield return new TestCaseData("sgd", new[] { 0.699999988f, -1.39999998f, 0.25f, 0.539999962f, -1.57999992f, 0.5f, 1.01300001f, -2.50099993f, 0f });
    }

    [TestCaseSource(nameof(Cases))]
    public void Three_steps_agree_with_torch_optim(string name, float[] torch)
    {
        var w = new Parameter(Tensor.FromValues([1f, -2f], "w"), ParameterRole.Weights);
        var b = new Parameter(Tensor.FromValues([0.5f], "b"), ParameterRole.Biases);
        Optimizer optimizer = name switch
        {
            "momentum" => new Momentum([w, b], 0.1f, 0.8f, nesterov: false, weightDecay: 0.05f),
            "nesterov" => new Momentum([w, b], 0.1f, 0.8f, nesterov: true, weightDecay: 0.05f),
            "adam" => new Adam([w, b], 0.01f, 0.8f, 0.9f, 1e-3f, weightDecay: 0.5f),
            "adamw" => new AdamW([w, b], 0.01f, 0.8f, 0.9f, 1e-3f, weightDecay: 0.5f),
            "rmsprop" => new RmsProp([w, b], 0.01f, 0.8f, 1e-3f, weightDecay: 0.5f),
            _ => new Sgd([w, b], 0.5f, weightDecay: 0.1f),
        };
        for (int step = 0; step < 3; step++)
        {
            s_weightGradients[step].CopyTo(w.Gradient.AsSpan());
            s_biasGradients[step].CopyTo(b.Gradient.AsSpan());
            optimizer.Step();
            float[] actual = [w.Value[0], w.Value[1], b.Value[0]];
            Assert.That(actual, Is.EqualTo(torch.AsSpan(step * 3, 3).ToArray()).Within(1e-6f), $"{name}, after step {step + 1}");
        }
    }
}
