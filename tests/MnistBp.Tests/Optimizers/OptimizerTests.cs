// The optimizers' updates against their formulas: three steps on a tiny parameter with chosen
// gradients, the expected values worked out by hand (constant gradients, small numbers) or by the
// formula written out in double in the test; weight decay never on biases; ToString and refused settings.
namespace MnistBp.Tests.Optimizers;

internal sealed class OptimizerTests
{
    // Three steps of gradients for a two-element weight and a one-element bias.
    private static readonly float[][] s_weightGradients = [[0.5f, -1f], [0.25f, 0.5f], [-1f, 2f]];
    private static readonly float[][] s_biasGradients = [[0.5f], [-0.5f], [1f]];

    private static (Parameter Weights, Parameter Biases) TinyParameters()
    {
        var weights = new Parameter(Tensor.FromValues([1f, -2f], "w"), ParameterRole.Weights);
        var biases = new Parameter(Tensor.FromValues([0.5f], "b"), ParameterRole.Biases);
        return (weights, biases);
    }

    /// <summary>Runs three steps, setting each step's gradients first, and returns (w, b) after each.</summary>
    private static List<(float[] W, float[] B)> ThreeSteps(Optimizer optimizer, Parameter weights, Parameter biases)
    {
        var after = new List<(float[], float[])>();
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            s_weightGradients[step].CopyTo(weights.Gradient.AsSpan());
            s_biasGradients[step].CopyTo(biases.Gradient.AsSpan());
            optimizer.Step();
            after.Add((weights.Value.ToArray(), biases.Value.ToArray()));
        }

        return after;
    }

    [Test]
    public void Momentum_by_hand_with_a_constant_gradient()
    {
        // lr 0.1, μ 0.9, w = 1, g = 0.5 every step:
        // v1 = 0.5,                    w1 = 1 - 0.05 = 0.95
        // v2 = 0.9 * 0.5 + 0.5 = 0.95,  w2 = 0.95 - 0.095 = 0.855
        // v3 = 0.9 * 0.95 + 0.5 = 1.355, w3 = 0.855 - 0.1355 = 0.7195
        // Nesterov steps along g + μ v: 0.95, 1.355, 1.7195 -> w = 0.905, 0.7695, 0.59755.
        foreach ((bool nesterov, float[] expected) in new[] { (false, new[] { 0.95f, 0.855f, 0.7195f }), (true, new[] { 0.905f, 0.7695f, 0.59755f }) })
        {
            var w = new Parameter(Tensor.FromValues([1f], "w"), ParameterRole.Weights);
            var optimizer = new Momentum([w], learnRate: 0.1f, momentum: 0.9f, nesterov: nesterov);
            for (int step = 0; step < 3; step++)
            {
                w.Gradient.AsSpan()[0] = 0.5f;
                optimizer.Step();
                Assert.That(w.Value.AsSpan()[0], Is.EqualTo(expected[step]).Within(1e-6f), $"nesterov {nesterov}, step {step + 1}");
            }
        }
    }

    [Test]
    public void Momentum_matches_its_formula_for_three_steps([Values] bool nesterov)
    {
        (Parameter weights, Parameter biases) = TinyParameters();
        const double lr = 0.1, mu = 0.8, decay = 0.05;
        var after = ThreeSteps(new Momentum([weights, biases], (float)lr, (float)mu, nesterov, (float)decay), weights, biases);

        double[] w = [1, -2], vw = [0, 0];
        double[] b = [0.5], vb = [0];
        for (int step = 0; step < 3; step++)
        {
            Update(w, vw, s_weightGradients[step], decay);
            Update(b, vb, s_biasGradients[step], 0); // biases: no decay
            Assert.That(after[step].W, Is.EqualTo(w).Within(1e-6), $"weights after step {step + 1}");
            Assert.That(after[step].B, Is.EqualTo(b).Within(1e-6), $"biases after step {step + 1}");
        }

        void Update(double[] value, double[] velocity, float[] gradient, double lambda)
        {
            for (int i = 0; i < value.Length; i++)
            {
                double g = gradient[i] + (lambda * value[i]);      // g = dW + λ w
                velocity[i] = (mu * velocity[i]) + g;              // v = μ v + g
                value[i] -= lr * (nesterov ? g + (mu * velocity[i]) : velocity[i]); // w -= lr v (Nesterov: lr (g + μ v))
            }
        }
    }

    [Test]
    public void Adam_by_hand_with_a_constant_gradient_steps_by_the_learn_rate()
    {
        // g = 0.5 every step: m_t = 0.5 (1 - β1^t) and v_t = 0.25 (1 - β2^t), so the corrected moments are exactly
        // 0.5 and 0.25, and every step is lr * 0.5 / (0.5 + ε) = lr (to 2e-8): w = 1 - 0.1 t.
        var w = new Parameter(Tensor.FromValues([1f], "w"), ParameterRole.Weights);
        var adam = new Adam([w], learnRate: 0.1f);
        for (int step = 1; step <= 3; step++)
        {
            w.Gradient.AsSpan()[0] = 0.5f;
            adam.Step();
            Assert.That(w.Value.AsSpan()[0], Is.EqualTo(1 - (0.1 * step)).Within(1e-6), $"step {step}");
            Assert.That(adam.StepCount, Is.EqualTo(step));
        }
    }

    [Test]
    public void Adam_and_AdamW_match_their_formulas_for_three_steps([Values] bool decoupled)
    {
        (Parameter weights, Parameter biases) = TinyParameters();
        const double lr = 0.01, beta1 = 0.8, beta2 = 0.9, eps = 1e-3, decay = 0.5;
        Optimizer optimizer = decoupled
            ? new AdamW([weights, biases], (float)lr, (float)beta1, (float)beta2, (float)eps, (float)decay)
            : new Adam([weights, biases], (float)lr, (float)beta1, (float)beta2, (float)eps, (float)decay);
        var after = ThreeSteps(optimizer, weights, biases);

        double[] w = [1, -2], mw = [0, 0], vw = [0, 0];
        double[] b = [0.5], mb = [0], vb = [0];
        for (int t = 1; t <= 3; t++)
        {
            Update(w, mw, vw, s_weightGradients[t - 1], decay, t);
            Update(b, mb, vb, s_biasGradients[t - 1], 0, t); // biases: no decay of either kind
            Assert.That(after[t - 1].W, Is.EqualTo(w).Within(1e-6), $"weights after step {t}");
            Assert.That(after[t - 1].B, Is.EqualTo(b).Within(1e-6), $"biases after step {t}");
        }

        void Update(double[] value, double[] m, double[] v, float[] gradient, double lambda, int t)
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (decoupled)
                {
                    value[i] *= 1 - (lr * lambda);                  // AdamW: w *= 1 - lr λ
                }

                double g = gradient[i] + (decoupled ? 0 : lambda * value[i]); // Adam: g = dW + λ w
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g);          // m = β1 m + (1 - β1) g
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);      // v = β2 v + (1 - β2) g²
                double mHat = m[i] / (1 - Math.Pow(beta1, t));      // m / (1 - β1^t)
                double vHat = v[i] / (1 - Math.Pow(beta2, t));      // v / (1 - β2^t)
                value[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);     // w -= lr m̂ / (sqrt(v̂) + ε)
            }
        }
    }

    [Test]
    public void RmsProp_by_hand_with_a_constant_gradient()
    {
        // lr 0.01, ρ 0.5, ε 1e-8, w = 1, g = 0.5 every step: v_t = 0.25 (1 - 0.5^t), so sqrt(v) = 0.5 sqrt(1 - 0.5^t):
        // v1 = 0.125,   step 0.01 * 0.5 / sqrt(0.125)  = 0.0141421, w1 = 0.9858579
        // v2 = 0.1875,  step 0.01 * 0.5 / sqrt(0.1875) = 0.0115470, w2 = 0.9743109
        // v3 = 0.21875, step 0.01 * 0.5 / sqrt(0.21875) = 0.0106904, w3 = 0.9636204
        // (Adam's bias correction would make every step exactly lr; RMSprop's first steps are larger.)
        var w = new Parameter(Tensor.FromValues([1f], "w"), ParameterRole.Weights);
        var rmsProp = new RmsProp([w], learnRate: 0.01f, rho: 0.5f);
        float[] expected = [0.9858579f, 0.9743109f, 0.9636204f], meanSquares = [0.125f, 0.1875f, 0.21875f];
        for (int step = 0; step < 3; step++)
        {
            w.Gradient.AsSpan()[0] = 0.5f;
            rmsProp.Step();
            Assert.That(w.Value.AsSpan()[0], Is.EqualTo(expected[step]).Within(1e-6f), $"step {step + 1}");
            Assert.That(rmsProp.MeanSquare(0)[0], Is.EqualTo(meanSquares[step]), $"v after step {step + 1}");
        }
    }

    [Test]
    public void RmsProp_matches_its_formula_for_three_steps()
    {
        (Parameter weights, Parameter biases) = TinyParameters();
        const double lr = 0.01, rho = 0.8, eps = 1e-3, decay = 0.5;
        var after = ThreeSteps(new RmsProp([weights, biases], (float)lr, (float)rho, (float)eps, (float)decay), weights, biases);

        double[] w = [1, -2], vw = [0, 0];
        double[] b = [0.5], vb = [0];
        for (int step = 0; step < 3; step++)
        {
            Update(w, vw, s_weightGradients[step], decay);
            Update(b, vb, s_biasGradients[step], 0); // biases: no decay
            Assert.That(after[step].W, Is.EqualTo(w).Within(1e-6), $"weights after step {step + 1}");
            Assert.That(after[step].B, Is.EqualTo(b).Within(1e-6), $"biases after step {step + 1}");
        }

        static void Update(double[] value, double[] meanSquare, float[] gradient, double lambda)
        {
            for (int i = 0; i < value.Length; i++)
            {
                double g = gradient[i] + (lambda * value[i]);                   // g = dW + λ w
                meanSquare[i] = (rho * meanSquare[i]) + ((1 - rho) * g * g);     // v = ρ v + (1 - ρ) g²
                value[i] -= lr * g / (Math.Sqrt(meanSquare[i]) + eps);          // w -= lr g / (sqrt(v) + ε)
            }
        }
    }

    [Test]
    public void Sgd_with_weight_decay_matches_Nielsens_update_and_leaves_biases_alone()
    {
        // Nielsen ch. 3: w -> (1 - ηλ/n) w - η ∂C0/∂w; b -> b - η ∂C0/∂b.  η = 0.5, λ = 5, n = 50: λ/n = 0.1.
        (Parameter weights, Parameter biases) = TinyParameters();
        float decay = WeightDecay.FromL2(5f, 50);
        Assert.That(decay, Is.EqualTo(0.1f));
        var after = ThreeSteps(new Sgd([weights, biases], 0.5f, decay), weights, biases);

        double[] w = [1, -2];
        double b = 0.5;
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                w[i] = ((1 - (0.5 * 0.1)) * w[i]) - (0.5 * s_weightGradients[step][i]);
            }

            b -= 0.5 * s_biasGradients[step][0];
            Assert.That(after[step].W, Is.EqualTo(w).Within(1e-6), $"weights after step {step + 1}");
            Assert.That(after[step].B[0], Is.EqualTo(b).Within(1e-6), $"bias after step {step + 1}");
        }

        // Step 1 by hand: w0 = 0.95 * 1 - 0.5 * 0.5 = 0.7; b = 0.5 - 0.25 = 0.25.
        Assert.That(after[0].W[0], Is.EqualTo(0.7f).Within(1e-7f));
        Assert.That(after[0].B[0], Is.EqualTo(0.25f));
    }

    [Test]
    public void Weight_decay_with_a_zero_gradient_shrinks_weights_only([Values("sgd", "momentum", "adam", "adamw", "rmsprop")] string name)
    {
        (Parameter weights, Parameter biases) = TinyParameters();
        Optimizer optimizer = name switch
        {
            "sgd" => new Sgd([weights, biases], 0.1f, weightDecay: 0.5f),
            "momentum" => new Momentum([weights, biases], 0.1f, weightDecay: 0.5f),
            "adam" => new Adam([weights, biases], 0.1f, weightDecay: 0.5f),
            "rmsprop" => new RmsProp([weights, biases], 0.1f, weightDecay: 0.5f),
            _ => new AdamW([weights, biases], 0.1f, weightDecay: 0.5f),
        };
        optimizer.ZeroGrad();
        weights.Gradient.Clear();
        biases.Gradient.Clear();
        optimizer.Step();

        Assert.That(Math.Abs(weights.Value.AsSpan()[0]), Is.LessThan(1f), "weights decay towards 0");
        Assert.That(biases.Value.AsSpan()[0], Is.EqualTo(0.5f), "a bias with a zero gradient does not move");
    }

    [Test]
    public void Dense_marks_its_weights_and_biases()
    {
        var dense = new Dense(3, 2, WeightInit.ScaledNormal, new DeterministicRandom(1), "d");
        Assert.That(dense.Weights.Role, Is.EqualTo(ParameterRole.Weights));
        Assert.That(dense.Biases.Role, Is.EqualTo(ParameterRole.Biases));
        Assert.That(new Parameter(new Tensor(2, 3)).Role, Is.EqualTo(ParameterRole.Weights), "given no role, a matrix is weights");
        Assert.That(new Parameter(new Tensor(3)).Role, Is.EqualTo(ParameterRole.Biases), "given no role, a vector is biases (not decayed)");
        Assert.That(new Parameter(new Tensor(3), ParameterRole.Weights).Role, Is.EqualTo(ParameterRole.Weights), "a role given is kept");
        Assert.That(() => new Parameter(new Tensor(2), (ParameterRole)7), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("role"));
    }

    [Test]
    public void ToString_shows_the_settings()
    {
        var w = new Parameter(new Tensor(2, "w"), ParameterRole.Weights);
        Assert.That(new Sgd([w], 3f).ToString(), Is.EqualTo("Sgd learnRate=3"));
        Assert.That(new Sgd([w], 0.5f, 1e-4f).ToString(), Is.EqualTo("Sgd learnRate=0.5 weightDecay=0.0001"));
        Assert.That(new Momentum([w], 0.1f, nesterov: true).ToString(), Is.EqualTo("Momentum learnRate=0.1 momentum=0.9 nesterov=True weightDecay=0"));
        Assert.That(new Adam([w]).ToString(), Is.EqualTo("Adam learnRate=0.001 beta1=0.9 beta2=0.999 epsilon=1E-08 weightDecay=0"));
        Assert.That(new AdamW([w]).ToString(), Is.EqualTo("AdamW learnRate=0.001 beta1=0.9 beta2=0.999 epsilon=1E-08 weightDecay=0.01"));
        Assert.That(new RmsProp([w]).ToString(), Is.EqualTo("RmsProp learnRate=0.001 rho=0.9 epsilon=1E-08 weightDecay=0"));
    }

    [Test]
    public void Bad_settings_are_refused_naming_the_parameter()
    {
        var w = new[] { new Parameter(new Tensor(2, "w"), ParameterRole.Weights) };
        Assert.Multiple(() =>
        {
            Refused(() => new Sgd(w, 0.1f, weightDecay: -1f), "weightDecay");
            Refused(() => new Sgd(w, 0.1f, weightDecay: float.NaN), "weightDecay");
            Refused(() => new Momentum(w, float.NaN), "learnRate");
            Refused(() => new Momentum(w, 0.1f, momentum: 1f), "momentum");
            Refused(() => new Momentum(w, 0.1f, momentum: -0.1f), "momentum");
            Refused(() => new Momentum(w, 0.1f, momentum: 0f, nesterov: true), "momentum");
            Refused(() => new Momentum(w, 0.1f, weightDecay: float.PositiveInfinity), "weightDecay");
            Refused(() => new Adam(w, learnRate: 0f), "learnRate");
            Refused(() => new Adam(w, beta1: 1f), "beta1");
            Refused(() => new Adam(w, beta2: float.NaN), "beta2");
            Refused(() => new Adam(w, epsilon: 0f), "epsilon");
            Refused(() => new AdamW(w, weightDecay: -0.01f), "weightDecay");
            Refused(() => new AdamW(w, learnRate: float.PositiveInfinity), "learnRate");
            Refused(() => new Adam(w) { LearnRate = float.NaN }, "LearnRate");
            Refused(() => new RmsProp(w, learnRate: -1f), "learnRate");
            Refused(() => new RmsProp(w, rho: 1f), "rho");
            Refused(() => new RmsProp(w, rho: float.NaN), "rho");
            Refused(() => new RmsProp(w, epsilon: float.PositiveInfinity), "epsilon");
            Refused(() => new RmsProp(w, weightDecay: -0.5f), "weightDecay");
            Refused(() => new RmsProp(w) { LearnRate = 0f }, "LearnRate");
            Refused(() => new RmsProp(w).MeanSquare(1), "index");
            Refused(() => new Momentum(w, 0.1f).SetLearnRate(-1f), "LearnRate");
            Refused(() => WeightDecay.FromL2(-1f, 10), "lambda");
            Refused(() => WeightDecay.FromL2(1f, 0), "trainingCount");
        });
    }

    [Test]
    public void Every_optimizer_reports_the_learn_rate_it_is_given_and_steps_by_it([Values("sgd", "momentum", "adam", "adamw", "rmsprop")] string name)
    {
        // One step from w = 1 with g = 1 and every state zero, at the rate set after construction:
        // SGD and momentum move by lr · 1; Adam and AdamW by lr · m̂/(√v̂ + ε) = lr · 1/(1 + 1e-8);
        // RMSprop by lr · 1/(√((1 - ρ) · 1) + ε) = lr/√0.1 (no bias correction).
        var w = new Parameter(Tensor.FromValues([1f], "w"), ParameterRole.Weights);
        Optimizer optimizer = name switch
        {
            "sgd" => new Sgd([w], 0.5f),
            "momentum" => new Momentum([w], 0.5f),
            "adam" => new Adam([w], 0.5f),
            "adamw" => new AdamW([w], 0.5f, weightDecay: 0f),
            _ => new RmsProp([w], 0.5f),
        };
        Assert.That(optimizer.ReportedLearnRate, Is.EqualTo(0.5f));
        optimizer.SetLearnRate(0.01f);
        Assert.That(optimizer.ReportedLearnRate, Is.EqualTo(0.01f));
        w.Gradient.AsSpan()[0] = 1f;
        optimizer.Step();
        double expectedStep = name == "rmsprop" ? 0.01 / Math.Sqrt(0.1) : 0.01;
        Assert.That(w.Value.AsSpan()[0], Is.EqualTo(1 - expectedStep).Within(1e-6), $"{optimizer}");
    }

    [Test]
    public void Settable_learn_rates_change_the_step()
    {
        var w = new Parameter(Tensor.FromValues([1f], "w"), ParameterRole.Weights);
        var momentum = new Momentum([w], 0.1f, momentum: 0.5f);
        momentum.SetLearnRate(0.2f);
        Assert.That(momentum.ReportedLearnRate, Is.EqualTo(0.2f));
        w.Gradient.AsSpan()[0] = 1f;
        momentum.Step();
        Assert.That(w.Value.AsSpan()[0], Is.EqualTo(0.8f).Within(1e-7f), "w -= 0.2 * 1");
        Assert.That(momentum.Velocity(0).ToArray(), Is.EqualTo(new[] { 1f }));
    }

    private static void Refused(TestDelegate action, string parameter) =>
        Assert.That(action, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(parameter));
}
