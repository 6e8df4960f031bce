"""Signal classifiers behind one small interface (``SignalClassifier``).

``loader.load_default_classifier()`` returns the trained model from the
package's artefact; ``rules.RuleBasedClassifier`` is the lexicon baseline;
``commands`` holds the train/evaluate/classify/bench command functions.
"""
