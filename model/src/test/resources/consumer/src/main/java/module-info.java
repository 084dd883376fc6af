module consumer {
    requires dev.vecgpt.model;
}
