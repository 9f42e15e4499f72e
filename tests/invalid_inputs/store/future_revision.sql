-- A carescale store whose schema revision this version does not know (written by a newer
-- carescale): tests/security/test_store_service.py loads it into a SQLite file.
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0002_from_a_newer_carescale');
CREATE TABLE logic_models (
	id VARCHAR(128) NOT NULL,
	model_id VARCHAR(200) NOT NULL,
	canonical_json TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_logic_models PRIMARY KEY (id)
);
CREATE TABLE plans (
	id VARCHAR(200) NOT NULL,
	name VARCHAR(500) NOT NULL,
	definition_json TEXT NOT NULL,
	scenario_id VARCHAR(128),
	logic_model_id VARCHAR(128),
	start_date DATE NOT NULL,
	end_date DATE NOT NULL,
	created_by VARCHAR(200) NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_plans PRIMARY KEY (id),
	CONSTRAINT fk_plans_logic_model_id_logic_models FOREIGN KEY(logic_model_id) REFERENCES logic_models (id),
	CONSTRAINT fk_plans_scenario_id_scenario_documents FOREIGN KEY(scenario_id) REFERENCES scenario_documents (id)
);
CREATE TABLE recommendations (
	review_id INTEGER NOT NULL,
	decision VARCHAR(40) NOT NULL,
	reason TEXT NOT NULL,
	prob_saving FLOAT NOT NULL,
	expected_npv FLOAT NOT NULL,
	details_json TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_recommendations PRIMARY KEY (review_id),
	CONSTRAINT fk_recommendations_review_id_reviews FOREIGN KEY(review_id) REFERENCES reviews (id)
);
CREATE TABLE review_outcomes (
	review_id INTEGER NOT NULL,
	outcome_id VARCHAR(200) NOT NULL,
	achieved INTEGER NOT NULL,
	CONSTRAINT pk_review_outcomes PRIMARY KEY (review_id, outcome_id),
	CONSTRAINT fk_review_outcomes_review_id_reviews FOREIGN KEY(review_id) REFERENCES reviews (id)
);
CREATE TABLE reviews (
	id INTEGER NOT NULL,
	plan_id VARCHAR(200) NOT NULL,
	number INTEGER NOT NULL,
	period_start DATE NOT NULL,
	period_end DATE NOT NULL,
	people_supported INTEGER NOT NULL,
	money_spent NUMERIC(16, 2) NOT NULL,
	note TEXT,
	recorded_by VARCHAR(200) NOT NULL,
	recorded_at DATETIME NOT NULL,
	CONSTRAINT pk_reviews PRIMARY KEY (id),
	CONSTRAINT fk_reviews_plan_id_plans FOREIGN KEY(plan_id) REFERENCES plans (id),
	CONSTRAINT uq_reviews_plan_id UNIQUE (plan_id, number)
);
CREATE TABLE scenario_documents (
	id VARCHAR(128) NOT NULL,
	canonical_json TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_scenario_documents PRIMARY KEY (id)
);
CREATE INDEX ix_logic_models_model_id ON logic_models (model_id);
CREATE INDEX ix_reviews_plan_id ON reviews (plan_id);
COMMIT;
