-- A spot check may propose a training topic for the agent; trainers see the proposals.
ALTER TABLE qa_reviews ADD COLUMN training_topic TEXT;
CREATE INDEX qa_reviews_training ON qa_reviews(training_topic) WHERE training_topic IS NOT NULL;
