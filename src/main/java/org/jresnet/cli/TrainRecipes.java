package org.jresnet.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The named recipes of {@code train --recipe NAME}. A recipe is the options a user could type, so
 * it means exactly what those options mean, and any of them given explicitly wins over the
 * recipe's. docs/recipes.md gives the reason for each value.
 */
final class TrainRecipes {
    /**
     * ResNet-20 to the reference's accuracy in 18 of its 30 epochs: the reference's own schedule
     * (cosine over the run, batch 128, lr 0.1, wd 1e-4, 200 warm-up iterations) shortened, one test
     * pass at the end scoring six views of each image (flipped, shifted by a pixel). In short runs
     * ResNet-20 underfits, so the one-cycle recipe's regularisers cost more than they give, and
     * neither 15 epochs nor 9 of 18 on small crops (--crop-epochs) keep 85.2% (docs/recipes.md).
     */
    static final String FAST = "--model resnet20 --epochs 18 --batch 128 --lr 0.1 --momentum 0.9"
            + " --weight-decay 1e-4 --schedule cosine --tta-flip --tta-translate --test-every 18";
    /**
     * The first fast recipe, kept for comparison: one-cycle at batch 256 with the peak rate scaled
     * up, label smoothing, zero-initialised residual branches, Nesterov momentum, weight decay 5e-4,
     * test-time flipping (83.3-83.5% in 13-15 epochs).
     */
    static final String ONECYCLE = "--model resnet20 --epochs 13 --batch 256 --lr 0.4 --momentum 0.9 --nesterov"
            + " --weight-decay 5e-4 --schedule onecycle --pct-start 0.25 --div-factor 25 --final-div-factor 1e4"
            + " --anneal-strategy cos --label-smoothing 0.1 --zero-init-residual --tta-flip";
    /**
     * The shared PyTorch reference recipe (README's "Training" command) at its full 30 epochs. Its
     * 200 warm-up iterations are cosine's default, not an option here, so that {@code --recipe
     * reference --schedule onecycle} (one-cycle has its own warm-up) needs nothing more.
     */
    static final String REFERENCE = "--model resnet20 --epochs 30 --batch 128 --lr 0.1 --momentum 0.9"
            + " --weight-decay 1e-4 --schedule cosine";

    static final String HELP_FAST = "  fast       " + FAST;
    static final String HELP_ONECYCLE = "  onecycle   " + ONECYCLE;
    static final String HELP_REFERENCE = "  reference  " + REFERENCE;

    static final Map<String, String> RECIPES = recipes();

    private static Map<String, String> recipes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fast", FAST);
        m.put("onecycle", ONECYCLE);
        m.put("reference", REFERENCE);
        return m;
    }

    private TrainRecipes() {}

    /** The recipe's options, as typed. */
    static String[] args(String name) {
        String a = RECIPES.get(name);
        if (a == null) {
            throw new Errors.UsageException("unknown --recipe '" + name + "' (valid: " + String.join(", ", RECIPES.keySet()) + ")");
        }
        return a.split(" ");
    }

    /**
     * Sets every option of recipe {@code name} (null: none) that the command line of {@code spec}
     * (a parsed train command) did not give itself.
     */
    static void apply(String name, CommandSpec spec) {
        if (name == null) return;
        CommandLine recipe = new CommandLine(new TrainCommand());
        ParseResult given = recipe.parseArgs(args(name));
        ParseResult user = spec.commandLine().getParseResult();
        for (OptionSpec o : given.matchedOptions()) {
            OptionSpec mine = spec.findOption(o.longestName());
            if (user == null || !user.hasMatchedOption(mine)) mine.setValue(o.getValue());
        }
    }
}
