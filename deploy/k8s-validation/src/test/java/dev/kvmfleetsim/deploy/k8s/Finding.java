package dev.kvmfleetsim.deploy.k8s;

/** One problem in the manifests: the object (Kind/name), the field path in it, what is wrong, and the source. */
record Finding(String object, String field, String message, String source) {

    @Override
    public String toString() {
        return object + " " + field + ": " + message + " [" + source + "]";
    }
}
